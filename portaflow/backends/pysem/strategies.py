"""Hypothesis strategies for differential tests of an expression lowering: random JSON values of each
parameter's type, and random expressions (arithmetic trees with non-zero divisors of either sign, plus every
form of :mod:`.forms`). Needs hypothesis (the test extra)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .forms import FORMS

ints = st.integers(min_value=-50, max_value=50)
floats = st.integers(min_value=-40, max_value=40).map(lambda n: n / 4)  # exact binary fractions
# astral characters (two UTF-16 code units in JavaScript, one code point in Python), U+FFFF (orders below an
# astral character in JavaScript), whitespace on which Python and JavaScript's \s disagree, non-ASCII text
ASTRAL = "\U0001f600\U0001d518"
text = st.text(
    alphabet="ab c'\"\\xyzAB" + ASTRAL + "\uffff\ue000\u00e9\u00df\u00a0\ufeff\x1c\u2028\t", max_size=6
)
# untyped values: a float whose value is integral prints as an int on AWS (JSON numbers, docs/dsl.md)
fractions = st.integers(min_value=-40, max_value=40).filter(lambda n: n % 4).map(lambda n: n / 4)
scalars = st.one_of(st.none(), st.booleans(), ints, fractions, text)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=3)),
    max_leaves=8,
)


def environments() -> st.SearchStrategy[dict[str, Any]]:
    """Values of the parameters of forms.ANNOTATIONS, and ``v`` of any JSON type."""
    return st.fixed_dictionaries(
        {
            "a": ints,
            "b": floats,
            "s": text,
            "xs": st.lists(ints, max_size=5),
            "d": st.dictionaries(text, ints, max_size=3),
            "v": values,
            "t": st.booleans(),
        }
    )


def num_expr(draw: Any, depth: int) -> str:
    if depth == 0:
        # t is a bool: Python's bools are the ints 0 and 1 in arithmetic
        return str(
            draw(st.sampled_from(["a", "b", "3", "-2", "0.5", "len(s)", "len(xs)", "t", "True", "(a > 0)"]))
        )
    op = draw(st.sampled_from(["+", "-", "*", "//", "%", "/"]))
    left, right = num_expr(draw, depth - 1), num_expr(draw, depth - 1)
    if op in ("//", "%", "/"):  # a non-zero divisor of either sign, keeping the static type
        right = f"({draw(st.sampled_from(['', '-']))}(abs({right}) + 1))"
    return f"({left} {op} {right})"


# arguments of the str methods: a piece of text (a literal, a slice of s, v), a bound (None, an int of either
# sign, past the end, a bool, a float), a width
_SUBS = [
    "''",
    "'a'",
    "'b'",
    "'ab'",
    "'\\U0001f600'",
    "' '",
    "s[:1]",
    "s[-2:]",
    "s[1:3]",
    "s",
    "v",
    "a",
    "'\\n'",
]
_BOUNDS = ["None", "0", "1", "-1", "a", "-a", "len(s)", "a % 4", "t", "b", "v"]
_WIDTHS = ["a", "a % 9", "len(s) + 1", "len(s) + 2", "t", "-1", "b", "v", "len(s)"]
_FILLS = ["'*'", "'\\U0001f600'", "'ab'", "''", "s[:1] or '.'", "v", "s"]


def str_method_expr(draw: Any) -> str:
    """A random call of a str method with random arguments (of wrong types too: Python's TypeError)."""
    m = draw(st.sampled_from(["find", "rfind", "index", "rindex", "count", "removeprefix", "removesuffix",
                              "zfill", "ljust", "rjust", "center", "partition", "rpartition", "splitlines",
                              "isspace", "isdigit", "isalpha", "isalnum", "isupper", "islower", "title",
                              "capitalize", "casefold"]))  # fmt: skip
    recv = draw(st.sampled_from(["s", "(s + s)", "(s + '\\n' + s)", "('-' + s)", "'aaa'"]))
    if m in ("find", "rfind", "index", "rindex", "count"):
        args = [draw(st.sampled_from(_SUBS))]
        args += [draw(st.sampled_from(_BOUNDS)) for _ in range(draw(st.integers(0, 2)))]
    elif m in ("zfill", "ljust", "rjust", "center"):
        args = [draw(st.sampled_from(_WIDTHS))]
        if m != "zfill" and draw(st.booleans()):
            args.append(draw(st.sampled_from(_FILLS)))
    elif m in ("splitlines", "title", "capitalize", "casefold") or m.startswith("is"):
        args = []
    else:
        args = [draw(st.sampled_from(_SUBS))]
    return f"{recv}.{m}({', '.join(args)})"


# the pieces of a random format spec, in the mini-language's order
_SPEC_PARTS = [
    ["", "", "<", ">", "^", "=", "*<", "0>", "x^", "0=", "\U0001f600>"],
    ["", "", "+", "-", " "],
    ["", "", "z"],
    ["", "", "#"],
    ["", "", "0"],
    ["", "", "1", "6", "12"],
    ["", "", ",", "_"],
    ["", "", "", ".0", ".1", ".2", ".6", ".15"],
]
_TYPES = ["", "d", "x", "X", "o", "b", "f", "F", "%", "s"]
_SIGNIFICANT_TYPES = ["e", "E", "g", "G"]
_OPERANDS = {"a": "int", "b": "float", "s": "str", "t": "bool", "v": "", "(a * 12345)": "int",
             "(b * 1000.5)": "float", "(s + s)": "str", "xs": "list"}  # fmt: skip


def format_expr(draw: Any, significant: bool) -> str:
    """A random spec applied by an f-string, format() or str.format() to a random operand; a spec that
    Python rejects for the operand's static type is applied to ``v`` instead (Python's error at run time).
    ``significant``: also e/g and no type with a precision (a float's significant digits: AWS refuses
    them)."""
    from portaflow.compiler.formatspec import SpecError, parse, python_error

    types = _TYPES + (_SIGNIFICANT_TYPES if significant else [])
    parts = [draw(st.sampled_from(part)) for part in _SPEC_PARTS] + [draw(st.sampled_from(types))]
    if not significant and parts[-1] == "":
        parts[3] = parts[-2] = ""  # no type with a precision (or #) formats a float like g
    spec = "".join(parts)
    try:
        parse(spec)
    except SpecError:
        spec = parts[-1]  # no type takes it: the frontend refuses it
    operand = draw(st.sampled_from(sorted(_OPERANDS)))
    ty = _OPERANDS[operand]
    if ty and python_error(spec, "bool" if operand == "t" else ty) is not None:
        operand = "v"  # Python raises for the static type (the frontend refuses it): a run-time type's error
    if "'" in spec or "{" in spec or "}" in spec:
        return f"format({operand}, {spec!r})"
    how = draw(st.sampled_from(["f", "format", "method"]))
    if how == "f":
        return f"f'{{{operand}:{spec}}}'"
    if how == "format":
        return f"format({operand}, {spec!r})"
    return f"'<{{:{spec}}}>'.format({operand})"


_STEPS = ["None", "1", "-1", "2", "-2", "3", "-3", "0", "a % 3 - 1", "t", "b", "v"]


def slice_expr(draw: Any) -> str:
    """A random slice with a step (of either sign, 0, a bool, a float) or a reversed() of a sequence."""
    seq = draw(st.sampled_from(["xs", "s", "v", "(s + s)", "d"]))
    if draw(st.integers(0, 4)) == 0:
        return f"list(reversed({seq}))"
    lo, hi = (draw(st.sampled_from(["", *_BOUNDS])) for _ in range(2))
    return f"{seq}[{lo}:{hi}:{draw(st.sampled_from(_STEPS))}]"


@st.composite
def expressions(draw: Any, significant: bool = False) -> str:
    """A random expression; ``significant``: format specs may take a float's significant digits (e, g)."""
    depth = draw(st.integers(min_value=0, max_value=2))
    n = num_expr(draw, depth)
    forms = [
        n,
        f"str({n})",
        f"{n} < {num_expr(draw, 0)} <= b",
        f"not {n}",
        f"a and {n}",
        f"xs or {n}",
        *FORMS,
    ]
    pick = draw(st.integers(min_value=0, max_value=7))
    if pick < 2:  # a quarter: a str method's random call
        return str_method_expr(draw)
    if pick == 2:  # an eighth: a random format spec
        return format_expr(draw, significant)
    if pick == 3:  # an eighth: a slice with a step, or reversed()
        return slice_expr(draw)
    return str(draw(st.sampled_from(forms)))
