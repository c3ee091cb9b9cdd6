"""The expression forms every non-Python target's lowering is checked on, over the parameters of ANNOTATIONS.

Each form exercises one or more of Python's rules a target language differs on (docs/semantics.md, "Python
semantics on every target"): comprehensions, f-strings and format specs, str methods on code points, slices
and negative indexes, sorting (stable, with keys, of mixed lists), comparisons of sequences, JSON text,
integer digits and decimal rounding, bools as ints, and values whose type is known only at run time (``v``).
"""

from __future__ import annotations

# a: int, b: float, s: str, xs: list, d: dict, t: bool; v has no annotation (its type is known at run time)
ANNOTATIONS = {"a": "int", "b": "float", "s": "str", "xs": "list", "d": "dict", "t": "bool"}

# expressions over a: int, b: float, s: str, xs: list, d: dict, t: bool and v (of a type known at run time)
FORMS = [
    "[x * 2 for x in xs if x % 2 == 0]",
    "{k: v for k, v in d.items() if v}",
    "f'{a}-{s}-{xs!r}'",
    "s.upper() + s.strip()",
    "[s.strip('a'), s.lstrip('ab '), s.rstrip(s[:2]), s.strip(''), s.strip(None), 'xaxbx'.strip(s)]",
    "s.split()",
    "' '.join([s, s])",
    "s.startswith('a')",
    "s.replace('a', 'b')",
    "xs[1:]",
    "xs[-1] if xs else None",
    "sorted(xs)",
    "min(xs) if xs else 0",
    "sum(xs)",
    "len(d)",
    "d.get('a', 0)",
    "list(d.keys())",
    "'a' in s",
    "a in xs",
    "xs + [a]",
    "[xs, [a]]",
    "str(v)",
    "bool(v)",
    "v or 0",
    "[v, v]",
    "{'k': v}",
    "v == v",
    "v is None",
    "round(b)",
    "abs(a)",
    "max(a, b)",
    "list(enumerate(xs))",
    "json.dumps(v)",
    "json.loads(json.dumps(d))",
    "f'{b:.2f}|{a:,}|{a:d}|{b:,.1f}'",
    "f'{b:,}|{b * 1000:,}|{b * 123456.5:,}|{-b * 1e6:,}|{a * 100000:,}|{a / 4:,}'",
    "list(zip(xs, xs))",
    "[i for i in range(a % 5)]",
    "str(d)",
    "s * (a % 3)",
    "sorted([xs, [a], [b, a]])",
    "sorted(d.items(), reverse=True)",
    # integers of 15 and 16 digits print every digit (JavaScript's $string keeps 15 significant ones)
    "[str(a * 123456789012345), f'{a * 123456789012345:d}', json.dumps([a * 100000000000001])]",
    "[str(len(s) * 10**15), f'{len(xs) * 1000000000000001}']",
    # decimal ties that are not binary ties: Python rounds the exact binary value (2.675 is 2.67499...)
    "[f'{2.675:.2f}', f'{0.35:.1f}', f'{-0.45:,.1f}', round(1.005, 2), round(0.125, 2), round(b * 1.1, 1)]",
    "[f'{b / 3:.3f}', round(a / 7, 4), f'{a * 0.015:.2f}', round(2.5), round(a + 0.5)]",
    # ties keep their order (a stable sort), with a key and reversed
    "[sorted(xs + [a, a], key=lambda x: 0), sorted([[1, 'x'], [0, 'y'], [1, 'z']], key=lambda p: p[0])]",
    "sorted([[1, 'x'], [0, 'y'], [1, 'z']], key=lambda p: p[0], reverse=True)",
    "min([[a, s], [b, s]])",
    "max([xs, [a]], key=lambda p: [len(p), p])",
    "[xs < [a, b], xs >= [a], [a] <= xs]",
    "v < v",
    "[v] < [v, a]",
    # strings are sequences of code points (JavaScript: UTF-16 code units)
    "[len(s), list(s), [c for c in s], s[-1:], s[1:3], s[:a % 4]]",
    "s[a % 3] if len(s) > 2 else s",
    "[sorted(s), sorted(list(d) + [s, 'x\uffff', 'x\U0001f600'])]",
    "[s < 'a\uffff', s >= '\U0001f600', 'b' < s, max(s) if s else '', min([s, '\ue000'])]",
    "list(enumerate(s))",
    "[s.split('a'), s.split(s[:1]) if s else 0, s.replace(s[:1], '-'), s.replace('', '.')]",
    "[s.strip(), s.split(), s.lstrip(), s.rstrip(), s.startswith(s[-1:]), s.endswith('\U0001f600')]",
    "[json.dumps(s), json.dumps(d), json.dumps([s, {s: v}])]",
    "s.upper() + s.lower()",
    "[int(f' {a} '), int(f'+{a * a}'), float(f' {b} '), float(f'{-b}e1'), float('.5'), float('-5.')]",
    "str(a) in s or s in str(d)",
    # search methods count code points; start/end are slice bounds (None, negative, past the end, a bool)
    "[s.find('a'), s.rfind('a'), s.find(s[1:2]), s.rfind(s[-1:]), s.find(''), s.rfind(''), s.count('a')]",
    "[s.find('b', a % 4), s.rfind('b', -2), s.find('', a), s.rfind('', a, -a), s.count('', a), s.count('')]",
    "[s.count(s[:1]), s.count('a', None, a), s.find('\\U0001f600', t), s.rfind('x', a, None), s.count('aa')]",
    "[s.index(s[-1:]), s.rindex(s[:1])] if s else s.index('a')",
    "s.index('b', a) + s.rindex('a', None, a)",
    "[s.find(v), s.count(v) if v != '' else 0]",
    "s.find('a', v)",
    "s.find('a', 0, b)",
    "s.count(b)",
    "[(s + s).rfind(s), 'aaa'.rfind('aa'), 'aaa'.count('aa'), 'ab\\U0001f600ab'.rfind('ab'), s.find(s, -1)]",
    "[s.removeprefix('a'), s.removesuffix('b'), s.removeprefix(s[:2]), s.removesuffix(s[-1:]), "
    "s.removeprefix(''), s.removesuffix('')]",
    "s.removeprefix(v)",
    "s.removesuffix(v)",
    "[s.zfill(a % 9), ('-' + s).zfill(5), ('+' + s).zfill(a), s.zfill(t), '-'.zfill(3), s.zfill(-a)]",
    "[s.ljust(a % 9), s.rjust(a % 9, '\\U0001f600'), s.center(a % 9, '*'), "
    "s.center(a % 9 + 1, s[:1] or 'x')]",
    "[s.center(a % 9), s.center(a % 8, '-'), s.center(-a % 7, '\\u00a0'), s.center(len(s) + 1, '.')]",
    "s.zfill(v)",
    "s.ljust(v)",
    "s.center(5, v)",
    "s.rjust(a, s)",
    "s.ljust(b)",
    "[s.partition('a'), s.rpartition('a'), s.partition(s[1:3] or 'q'), s.rpartition('\\U0001f600')]",
    "[x for x in 'aXbXc'.partition(s[-1:] or 'X')] + list('aXbXc'.rpartition(s[:1] or 'X'))",
    "s.partition(v)",
    "s.rpartition(v)",
    "[s.splitlines(), (s + '\\n' + s).splitlines(), "
    "'a\\r\\nb\\rc\\x0bd\\x0ce\\x1cf\\x1dg\\x1eh\\x85i'.splitlines()]",
    "['\\u2028\\u2029x\\n\\n'.splitlines(), ''.splitlines(), '\\n'.splitlines(), '\\r\\n\\r'.splitlines()]",
    "[s.isspace(), (s + ' ').isspace(), "
    "' \\t\\x1c\\x85\\u00a0\\u3000'.isspace(), '\\ufeff'.isspace(), ''.isspace()]",
    # Python's character classes (Unicode letters, digits and cases), astral characters included
    "[s.isdigit(), s.isalpha(), s.isalnum(), s.isupper(), s.islower(), (s + 'A').isupper(), s[:1].islower()]",
    "['\\u0663\\u00b2'.isdigit(), '\\u00e9\\U0001d518'.isalpha(), '\\u01c5'.isupper(), '\\u01c5a'.islower()]",
    "['\\U0001d7ce'.isdigit(), '\\U0001d400'.isupper(), 'a1\\u2160'.isalnum(), "
    "'ABC1'.isupper(), '\\u00aa'.islower()]",
    "['x\\U0001f600'.isalpha(), ''.isdigit(), ''.isalpha(), '1_2'.isalnum(), "
    "'a\\u0345'.islower(), '\\u2160'.isupper()]",
    # slices with a step (CPython's PySlice_AdjustIndices: negative steps start at the end; a step 0 is a
    # ValueError), of lists and of strings by code point; reversed() of a list, a str and a dict (its keys)
    "[xs[::-1], s[::-1], xs[::2], s[1::2], xs[::-2], s[-2::-1], xs[a % 4::-1], s[:a % 3:-1]]",
    "[xs[1:-1:2], s[::a % 3 + 1], xs[a:-a:-1], s[a:a - 10:-3], xs[::len(xs) + 1], s[10:-10:-1]]",
    "[xs[-10:10:3], s[-10:10:-1], xs[10:-10:-2]]",
    "[xs[::t or -1], s[t::-1], xs[:t:-1]]",
    "xs[::a % 2]",
    "s[::b]",
    "xs[::v]",
    "v[::-1]",
    "d[::-1]",
    "[list(reversed(xs)), ''.join(reversed(s)), list(reversed(d)), [x * 2 for x in reversed(xs)]]",
    "[list(reversed(range(a % 5))), list(reversed(d.keys())), list(reversed(list(enumerate(s))))]",
    "list(reversed(v))",
    "list(reversed(a))",
    # isinstance over the JSON types: a bool is an int; a float-typed value is a float whatever its value
    "[isinstance(v, dict), isinstance(v, list), isinstance(v, str), isinstance(v, bool), "
    "isinstance(v, tuple)]",
    "[isinstance(v, (int, float)), isinstance(v, (str, list)), isinstance(v, (dict, bool, str))]",
    "[isinstance(a, int), isinstance(b, float), isinstance(b, int), isinstance(t, int), "
    "isinstance(t, float)]",
    "[isinstance(a, float), isinstance(s, str), isinstance(xs, list), isinstance(d, (list, dict)), "
    "isinstance(b * 2, float), isinstance(a // 2, int), isinstance(xs[0] if xs else s, (int, float))]",
    # [*a, *b] and {**a, **b}: the items in order, a later key's value at its first place
    "[[*xs, *s], [a, *xs, t], [*d, *xs[:1]], [*s], (*s, a), [*xs, *[v]]]",
    "[{**d, 'k': a, **d}, {'z': 0, **d, 'a': s}, {**d}, {**{s: v}, **d, s: b}]",
    # sets for membership, len(), sorted() and truthiness: distinct items by Python's == (1, 1.0 and True are
    # one), each hashed (a list or a dict member is a TypeError)
    "[len({a, a, b}), sorted({a, 1, True, 1.0, a % 3}), a in {1, 2, 3}, s not in {'', 'x'}, len(set(s))]",
    "[sorted({x % 3 for x in xs}), len({c for c in s}), not set(xs), bool({a})]",
    "sorted(set(d), reverse=True)",
    "v in {1, 'text', None}",
    "len({v, a})",
    "len(set(v))",
    "[sorted(set(xs + [a])), sorted({*xs, a}), len({s, s[:1], s[:0]})]",
    # a builtin of one value, or a dict's .get, as a key function: the lambda calling it (its exceptions)
    "[sorted(xs, key=str), sorted(s, key=str), max([s, s + s, ''], key=len), min([a, -b, t], key=abs)]",
    "sorted(xs, key=len)",
    "[min(d, key=d.get) if d else None, sorted(d, key=d.get, reverse=True)]",
    "max(xs, key=abs, default=v)",
    "[sorted([v, a], key=bool), sorted([s, v], key=int) if s.isdigit() else 0, "
    "max(xs, key=float, default=0)]",
    # divmod(a, b): (a // b, a % b) with divmod's own messages ("float divmod()", "for divmod():"); of ints
    # here (a float result's JSON text is the targets' float text: docs/dsl.md, target differences)
    "[divmod(a, 3), divmod(-a, 7), divmod(t, 2), divmod(a * 7 + 1, -2), divmod(len(s), 2)]",
    "divmod(a, t)",
    "divmod(b, 0)",
    "divmod(a, 0.0)",
    "[divmod(s, a), divmod(a, xs)]",
    "divmod(d, None)",
    # json.dumps's options: key order by code point, indentation, separators, ensure_ascii
    "[json.dumps(d, sort_keys=True), json.dumps(xs, indent=2), json.dumps(d, indent='-', sort_keys=True)]",
    "[json.dumps(v, separators=(',', ':')), json.dumps(v, ensure_ascii=False), json.dumps(s, indent=0)]",
    "json.dumps({s: xs, 'k': d, '\U0001f600': [], '\uffff': {}}, sort_keys=True, indent=1, "
    "ensure_ascii=False)",
    # any()/all() of a generator stop at the item that decides: the later ones are not computed (nor raise)
    "any(10 // x > 0 for x in xs + [0])",
    "all(10 // x < 0 for x in xs + [0])",
    "[any(x for x in []), all(x for x in []), any(10 // x for x in xs if x), all(c != 'b' for c in s)]",
    "any(c == y for c in s for y in 'ab\\U0001f600' if 10 // len(c))",
    "[any(10 // (len(p) - 1) for p in ['ab', 'a']), all(p[0] for p in [[1], [0], []])]",
    # enumerate(xs, start): an int start (a bool is one), else Python's TypeError
    "[list(enumerate(s, a)), list(enumerate(xs, start=t)), [i for i, c in enumerate(d, -2)]]",
    "list(enumerate(xs, b))",
    "list(enumerate(xs, v))",
    # Python's case mappings: titlecase, a cased character before, full case folding, the final sigma
    "[s.title(), s.capitalize(), s.casefold(), (s + ' ab').title(), ('x' + s).capitalize()]",
    "['they\\'re \u01c6x \u00df1a'.title(), '\u01c6 \u00dfA'.capitalize(), '\u00df\ufb01\u1e9e'.casefold()]",
    "['\u0391\u03a3 \u03a3\u0391 \u0391\u03a3\u0345.'.title(), '\u03a3\u03a3'.capitalize(), "
    "'\u03a3\u0391\u03a3'.casefold(), 'a\u03a3\u00ad'.capitalize(), "
    "'\U0001d518\u0130x'.title(), '\u1f80\u0149'.title()]",
    # bools in arithmetic (JSONata refuses booleans there)
    "[t + t, t - a, t * b, -t, +t, abs(t), round(t), t / 2, a // (t + 1), a % (t + 1), t ** 2]",
    "[sum([t, t, a]), sum([t], t), sum([], t), max(t, a, b), min([t, False])]",
    "[t * s, s * t, [a] * t, t == 1, t != 1.0, t < 2, t >= b, 1 + t < 2]",
    "[v + 1, v - 1, v * 2, v / 2, -v, v ** 2]",
    "[v < 1, 1 <= v, v == 1, sum([v, 1])]",
    "[int(t), float(t), str(t + 1), f'{t * 2}']",
    "[f'{t:.1f}|{t:d}|{t:,}|{t:,.2f}|{t}', xs[t] if len(xs) > 1 else 0, s[t:], xs[:t]]",
    "[list(range(t)), list(range(t, 3)), list(range(-t, 5, t + 1))]",
    # the format mini-language (f-strings, format(), str.format()): fill, alignment, sign, width, zero padding
    # (with separators in the zeros), grouping, precision, and the types of str, int (a bool is one) and float
    "[f'{a:>6}|{a:<6}|{a:^6}|{a:*^7}|{a:+}|{a: }|{a:06}|{a:=+8}', format(a, ','), format(a * 1000003, '_')]",
    "[f'{a:x}|{a:#X}|{a:o}|{a:#b}|{a * 65537:_x}|{a * 65537:#016_b}|{-a:#06x}|{a:+#o}|{a:d}']",
    "[f'{a * 1234567:012,}', f'{a:08,}', f'{a * 99999:0=+14_}', f'{a:%}', f'{a:.2f}', "
    "f'{t:>4}|{t:x}|{t:+.1%}']",
    "[f'{b:10.3f}|{b:<+9.1f}|{b:^12,.2f}|{b:010.2f}|{b:z.0f}|{b:#.0f}|{b:.1%}|{b * 1e6:_.2f}|{b:F}']",
    "[f'{b}|{b:>8}|{b:<8}|{b:+}|{b:010}|{b * 1234567:,}|{b:z}|{b * 1e6:012,.1f}|{-0.001:.2f}|{-0.001:z.2f}']",
    "[f'{s:>8}|{s:<8}|{s:^8}|{s:*^9}|{s:.2}|{s:8.1}|{s:\U0001f600>6}|{s:05}|{s!r:>12}', format(s), "
    "format(s, 's')]",
    "['{:>5}|{:<5}|{!r:^10}|{k:+}'.format(a, s, s, k=b), '{1}{0}{1}'.format(a, s), '{0:x}-{0:o}'.format(a)]",
    "[f'{v:>6}', format(v, '<4'), '{:^5}'.format(v), f'{v!r:>8}']",
    "[format(a, '{>5'), format(s, '}^7'), format(b, '{<9.2f'), format(t, '}=+4')]",  # a brace as the fill
    "f'{v:.2f}'",
    "format(v, 'x')",
    "format(v, ',')",
    "f'{v:+}'",
    "f'{v:=5}'",
    "'{:_}'.format(v)",
]

# format specs whose digits are a float's significant ones (e, g, no type with a precision): Python's on
# Cloudflare and Azure; Step Functions refuses them (PFC040: JSONata has no correctly rounded conversion)
SIGNIFICANT_FORMS = [
    "[f'{b:e}|{b:.2E}|{b:g}|{b:.3G}|{b:#g}|{b:.3}|{b * 1e20:.4}|{b / 3e7:g}|{b * 1234.5678:,.4g}|{b:#.0e}']",
    "[f'{a:e}|{a:.3g}|{a * 1e6:g}|{a:+.2e}|{a:010.1e}', format(2.675, '.3g'), format(1e-5, 'g'), "
    "format(123456789.0, '.12g'), format(b * 1e16, '.17g'), format(0.1, '.25e')]",
    "[format(v, '.3'), format(v, 'e'), format(v, '>+10.2g')]",
]
