"""The JSONata lowering of each builtin and method of the catalogue (``portaflow/compiler/catalog.py``).

What a call is (its signature, result type, exceptions, effects) is the catalogue's; only how Step Functions
computes it is here: :data:`LOWERINGS` maps a row's name to its lowering, and :data:`REFUSED` names the rows
this backend does not lower as a call, with the diagnostic code the user gets for them. Every row is in one
of the two (``tests/aws/test_calls.py`` checks it), so a new row cannot go silently unhandled.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from portaflow.backends import generators, jsontypes, lazy
from portaflow.compiler import catalog, ir
from portaflow.compiler.diagnostics import Diagnostic

from . import casemaps, timedeltas, unicode
from .datetimes import LOWERED
from .jsonata import WS, _list_of, jstr
from .strftime import FIELDS, field, strftime

if TYPE_CHECKING:
    from .jsonata import Lowerer

# (lowerer, the call, its arguments already lowered, in order) -> the JSONata text
Lowering = Callable[["Lowerer", ir.Call, list[str]], str]


def lower_call(lw: Lowerer, e: ir.Call) -> str:
    """``e`` in JSONata; a ValueError for a call the catalogue or this backend does not know."""
    a = [lw.lower(x) for x in e.args]  # first, in order: the temporaries' numbers follow it
    row = catalog.lookup(e.func)
    if row is None:
        raise ValueError(f"cannot lower call {e.func}")
    if row.name in REFUSED:
        code, why = REFUSED[row.name]
        raise ValueError(f"cannot lower call {e.func} ({code}: {why})")
    if row.receiver in ("str", "dict", "list") and e.args[0].ty != row.receiver:
        # typed at run time: a value of another type (None after a timed-out wait, a str payload) raises
        # Python's AttributeError, where JSONata would answer (a default, []) or fail with its own error
        a[0] = f'{lw.h("pf_recv")}({a[0]}, "{row.receiver}", "{row.method}")'
    return LOWERINGS[row.name](lw, e, a)


def _items(lw: Lowerer, arg: ir.Expr, text: str) -> str:
    """An iterable argument as a JSONata array (a string's characters, a dict's keys)."""
    return text if arg.ty == "list" else f"{lw.h('pf_iter')}({text})"


def _len(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    if e.args[0].ty == "str":
        return f"$length({a[0]})"
    if e.args[0].ty == "list":
        return f"$count({a[0]})"
    return f"{lw.h('pf_len')}({a[0]})"


def _str(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    return lw.str_of(e.args[0]) if e.args else '""'


def _int(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    return f"{lw.h('pf_int')}({a[0]})" if e.args else "0"


def _float(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    return f"{lw.h('pf_float')}({a[0]})" if e.args else "0"


def _bool(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    return lw.truthy(e.args[0]) if e.args else "false"


def _abs(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    x = lw.operand(e.args[0], "bad operand type for abs(): '", "'")
    return f"$abs({x})"


def _round(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    x = lw.operand(e.args[0], "type ", " doesn't define __round__ method")
    if len(e.args) == 1:
        return f"$round({x})"
    return f"{lw.h('pf_round')}({x}, {lw.num(e.args[1])})"


def _min_max(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    args, kw, f = e.args, dict(e.kwargs), e.func
    items = a[0] if len(args) == 1 else _list_of([lw.wrapped(x) for x in args])
    if len(args) == 1 and args[0].ty != "list":
        items = f"{lw.h('pf_iter')}({items})"
    key = lw._key(kw)
    if key is not None:
        kf, acc, x, t = lw.tmp(), lw.tmp(), lw.tmp(), lw.tmp()
        lt = lw.h("pf_lt")
        better = f'{lt}({kf}({acc}), {kf}({x}), ">")' if f == "max" else f'{lt}({kf}({x}), {kf}({acc}), "<")'
        # Python calls the key of the first item before any comparison (of the only item too), and an
        # empty sequence without default= is its ValueError
        empty = f'{lw.h("pf_raise")}("ValueError", "{f}() arg is an empty sequence")'
        red = (
            f"({t} := ITEMS; $count({t}) = 0 ? {empty} : ({kf} := {key}; {kf}({t}[0]); "
            f"$reduce({t}, function({acc}, {x}){{{better} ? {x} : {acc}}})))"
        )
    else:
        red = f"{lw.h('pf_minmax')}(ITEMS, {'true' if f == 'max' else 'false'})"
    if "default" in kw and len(args) == 1:
        t = lw.tmp()
        return f"({t} := {items}; $count({t}) = 0 ? {lw.lower(kw['default'])} : {red.replace('ITEMS', t)})"
    return red.replace("ITEMS", items)


def _numbers(e: ir.Expr) -> bool:
    """A call whose result's items are numbers (range)."""
    row = catalog.lookup(e.func) if isinstance(e, ir.Call) else None
    return row is not None and row.items in ("int", "float")


def _sum(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    args = e.args
    start = a[1] if len(a) > 1 else "0"
    items = _items(lw, args[0], a[0])
    acc, x = lw.tmp(), lw.tmp()
    # items may be bools (sum([True, True]) is 2), so may the start (sum([], True) is True), or
    # lists (sum([[1], [2]], [])), or not numbers at all (Python's TypeError of 0 + item)
    numeric = _numbers(args[0]) or (
        isinstance(args[0], ir.ListExpr) and all(i.ty in ("int", "float") for i in args[0].items)
    )
    if numeric and (len(args) < 2 or args[1].ty in ("int", "float")):
        return f"$reduce({items}, function({acc}, {x}){{{acc} + {x}}}, {start})"
    return f"$reduce({items}, function({acc}, {x}){{{lw.h('pf_add')}({acc}, {x})}}, {start})"


def _any_all(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    gen = e.args[0]
    if isinstance(gen, ir.ListComp) and gen.generator and any(ir.may_raise(x) for x in _lazy_parts(gen)):
        # Python stops at the item that decides: the later ones are not computed, so do not raise
        init = "false" if e.func == "any" else "true"
        return lw.comprehension(gen.generators, lambda: lw.truthy(gen.elt), init, e.func)
    items = _items(lw, e.args[0], a[0])
    acc, x = lw.tmp(), lw.tmp()
    t = lw._truthy_ref(x, "any")
    op, init = ("or", "false") if e.func == "any" else ("and", "true")
    return f"$reduce({items}, function({acc}, {x}){{{acc} {op} {t}}}, {init})"


def _next(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    """``next(generator, default)``: a walk that stops computing at the first item; the default is evaluated
    first (the frontend refuses it where that and the first iterable may both raise, and takes only a
    generator expression with a default: the other forms are Python's errors here)."""
    gen = e.args[0]
    if not (isinstance(gen, ir.ListComp) and gen.generator):  # no iterator is a JSON value
        shown = f'"\'" & {lw.h("pf_tname")}({a[0]}) & "\' object is not an iterator"'
        return f'{lw.h("pf_raise")}("TypeError", {shown})'
    missing = a[1] if len(a) > 1 else f'{lw.h("pf_raise")}("StopIteration", "")'
    default, found = lw.tmp(), lw.tmp()
    walk = lw.comprehension(
        gen.generators, lambda: f'{{"f": true, "v": {lw.lower(gen.elt)}}}', '{"f": false}', "next"
    )
    if len(a) < 2:
        return f'({found} := {walk}; $lookup({found}, "f") ? $lookup({found}, "v") : {missing})'
    pick = f'$lookup({found}, "f") ? $lookup({found}, "v") : {default}'
    return f"({default} := {missing}; {found} := {walk}; {pick})"


_lazy_parts = generators.lazy_parts


def _sorted(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    kw = dict(e.kwargs)
    items = _items(lw, e.args[0], a[0])
    rev = kw.get("reverse")
    reverse = lw.truthy(rev) if rev is not None else "false"
    key = lw._key(kw)
    l_, r_ = lw.tmp(), lw.tmp()
    lt = lw.h("pf_lt")  # $sort swaps when the function returns true: stable, as Python's sort
    if key is not None:
        kf, t, acc, x = lw.tmp(), lw.tmp(), lw.tmp(), lw.tmp()
        # Python computes every item's key, in order, before it compares any (a one-item list's too)
        keys = f"$reduce({t}, function({acc}, {x}){{({kf}({x}); {acc})}}, 0)"
        return (
            f"({kf} := {key}; {t} := {items}; {keys}; $sort({t}, function({l_}, {r_}){{{reverse} ? "
            f'{lt}({kf}({l_}), {kf}({r_}), "<") : {lt}({kf}({r_}), {kf}({l_}), "<")}}))'
        )
    return (
        f'$sort({items}, function({l_}, {r_}){{{reverse} ? {lt}({l_}, {r_}, "<") : {lt}({r_}, {l_}, "<")}})'
    )


def _range(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    a = [lw.index(x) for x in e.args]  # range(True) is range(1)
    if len(a) == 1:
        return f"[0..{a[0]} - 1]"
    if len(a) == 2:
        return f"[{a[0]}..{a[1]} - 1]"
    return f"{lw.h('pf_range')}({a[0]}, {a[1]}, {a[2]})"


def _enumerate(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    kw = dict(e.kwargs)
    arg = kw.get("start", e.args[1] if len(e.args) > 1 else None)
    if arg is None:
        return f"{lw.h('pf_enumerate')}({a[0]}, 0)"
    text = lw.lower(arg) if "start" in kw else a[1]
    if arg.ty != "int":  # an int (a bool is one), else Python's TypeError naming the type (2.0: a float)
        text = f"{lw.h('pf_width')}({f'({text}; 0.5)' if arg.ty == 'float' else text})"
    return f"{lw.h('pf_enumerate')}({a[0]}, {text})"


def _zip(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    if len(a) != 2:
        raise ValueError("zip of two lists only")
    zipped = f"{lw.h('pf_zip')}({a[0]}, {a[1]})"
    strict = dict(e.kwargs).get("strict")
    if strict is None or (isinstance(strict, ir.Const) and not strict.value):
        return zipped
    x, y = lw.tmp(), lw.tmp()
    raise_ = lw.h("pf_raise")
    return (
        f"({x} := {lw.h('pf_iter')}({a[0]}); {y} := {lw.h('pf_iter')}({a[1]}); "
        f"({lw.truthy(strict)} and $count({x}) != $count({y})) ? "
        f'{raise_}("ValueError", "zip() argument 2 is " & ($count({y}) < $count({x}) ? "shorter" : '
        f'"longer") & " than argument 1") : {zipped})'
    )


def _list(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    return f"{lw.h('pf_iter')}({a[0]})" if e.args else "[]"


def _isinstance(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    """Python's class test as the value's type name; a float-typed value is a float whatever its value."""
    names = jsontypes.type_names(e)
    if e.args[0].ty == "float":
        return f"({a[0]}; {'true' if 'float' in names else 'false'})"
    return f"({lw.h('pf_tname')}({a[0]}) in [{', '.join(jstr(n) for n in names)}])"


def _dict(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    return f"{lw.h('pf_dict')}({a[0]})" if e.args else "{}"


def _timestamp(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    return f"($toMillis({a[0]}) / 1000)"  # ctx.now() is $now()'s ISO string, in whole milliseconds


def _isoformat(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    return lw.datetime_text(a[0], "T")


def _get(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    d, k = lw.tmp(), lw.tmp()
    default = a[2] if len(a) > 2 else "null"
    return f"({d} := {a[0]}; {k} := {a[1]}; {k} in [$keys({d})] ? $lookup({d}, {k}) : {default})"


_STRIP_ENDS = {"str.strip": "true, true", "str.lstrip": "true, false", "str.rstrip": "false, true"}
_STRIP_WS = {"str.strip": f"/^{WS}+|{WS}+$/", "str.lstrip": f"/^{WS}+/", "str.rstrip": f"/{WS}+$/"}


def _strip(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    if len(a) > 1 and not (isinstance(e.args[1], ir.Const) and e.args[1].value is None):
        return f"{lw.h('pf_strip')}({a[0]}, {a[1]}, {_STRIP_ENDS[e.func]})"
    return f'$replace({a[0]}, {_STRIP_WS[e.func]}, "")'


def _literal_text(x: ir.Expr) -> bool:
    """A non-empty string constant: JSONata's own $split/$replace then do what Python's do."""
    return isinstance(x, ir.Const) and isinstance(x.value, str) and bool(x.value)


def _split(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    if len(a) == 1 or (isinstance(e.args[1], ir.Const) and e.args[1].value is None):
        return f"{lw.h('pf_split')}({a[0]})"
    if _literal_text(e.args[1]):
        return f"$split({a[0]}, {a[1]})"
    return f"{lw.h('pf_splitsep')}({a[0]}, {a[1]})"


def _join(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    return f"$join({_items(lw, e.args[1], a[1])}, {a[0]})"


def _startswith(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    p = lw.tmp()
    return f"({p} := {a[1]}; $substring({a[0]}, 0, $length({p})) = {p})"


def _replace(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    if _literal_text(e.args[1]):
        return f"$replace({a[0]}, {a[1]}, {a[2]})"
    return f"{lw.h('pf_replace')}({a[0]}, {a[1]}, {a[2]})"


def _args(e: ir.Call, a: list[str]) -> list[str]:
    """The arguments after the receiver; one of static type float made a non-integral number (a float 2.0 is
    the JSON number 2, which would pass for an int): each argument of these methods refuses a float, with a
    message that names its type, after the arguments are evaluated in order (as Python does)."""
    return [f"({x}; 0.5)" if arg.ty == "float" else x for arg, x in zip(e.args[1:], a[1:], strict=True)]


def _find(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    sub, *bounds = _args(e, a)
    lo, hi = [*(f"{lw.h('pf_sidx')}({x})" for x in bounds), "null", "null"][:2]
    method = e.func.partition(".")[2]
    if method == "count":
        return f"{lw.h('pf_strcount')}({a[0]}, {sub}, {lo}, {hi})"
    found = f"{lw.h('pf_find')}({a[0]}, {sub}, {lo}, {hi}, {'true' if method.startswith('r') else 'false'})"
    return f"{lw.h('pf_index')}({found})" if method.endswith("index") else found


def _removefix(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    return f'{lw.h("pf_removefix")}({a[0]}, {_args(e, a)[0]}, "{e.func.partition(".")[2]}")'


def _zfill(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    return f"{lw.h('pf_zfill')}({a[0]}, {lw.h('pf_width')}({_args(e, a)[0]}))"


_JUST = {"str.ljust": "l", "str.rjust": "r", "str.center": "c"}


def _just(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    width, *fill = _args(e, a)
    fillchar = fill[0] if fill else jstr(" ")
    return f'{lw.h("pf_just")}({a[0]}, {lw.h("pf_width")}({width}), {fillchar}, "{_JUST[e.func]}")'


def _partition(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    last = "true" if e.func == "str.rpartition" else "false"
    return f"{lw.h('pf_partition')}({a[0]}, {_args(e, a)[0]}, {last})"


def _predicate(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    """s.isdigit() and the other classes: the compiling Python's (its Unicode database), code point by code
    point (unicode.py)."""
    return f"{lw.h(unicode.helper(e.func.partition('.')[2]))}({a[0]})"


def _casemap(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    """s.title(), s.capitalize(), s.casefold(): the compiling Python's case mappings (casemaps.py)."""
    name, args = casemaps.call(e.func.partition(".")[2], a[0])
    return f"{lw.h(name)}{args}"


def _helper(name: str) -> Lowering:
    """A lowering that is one helper function of the arguments (``json.dumps`` -> ``$pf_json(x)``)."""
    return lambda lw, e, a: f"{lw.h(name)}({', '.join(a)})"


def _builtin(template: str) -> Lowering:
    """A lowering that is a JSONata builtin of the first argument (``{0}`` in ``template``)."""
    return lambda lw, e, a: template.format(a[0])


def _json_dumps(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    if not e.kwargs:
        return f"{lw.h('pf_json')}({a[0]})"
    # the options are literals (frontend/calls.py json_options), folded here into pf_jsonx's
    given = {k: v.value for k, v in e.kwargs if isinstance(v, ir.Const)}
    indent = given.get("indent")
    ind = " " * max(indent, 0) if isinstance(indent, int) else indent
    isep, ksep = given.get("separators") or ((", " if ind is None else ","), ": ")
    options = {
        "sort": bool(given.get("sort_keys", False)),
        "ind": ind,
        "isep": isep,
        "ksep": ksep,
        "ascii": bool(given.get("ensure_ascii", True)),
    }
    text = "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in options.items()) + "}"
    return f"{lw.h('pf_jsonx')}({a[0]}, {text}, 0)"


def _divmod(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    floats = "true" if any(x.ty == "float" for x in e.args) else "false"
    return f"{lw.h('pf_divmod')}({a[0]}, {a[1]}, {floats})"


LOWERINGS: dict[str, Lowering] = {
    "divmod": _divmod,
    "len": _len,
    "type.__name__": _helper("pf_tname"),
    "str": _str,
    "int": _int,
    "float": _float,
    "bool": _bool,
    "abs": _abs,
    "min": _min_max,
    "max": _min_max,
    "sum": _sum,
    "sorted": _sorted,
    "round": _round,
    "range": _range,
    "enumerate": _enumerate,
    "zip": _zip,
    "list": _list,
    "isinstance": _isinstance,
    "set": lambda lw, e, a: f"{lw.h('pf_set')}({a[0]})" if a else "[]",
    "reversed": _helper("pf_reversed"),
    "dict": _dict,
    "any": _any_all,
    "next": _next,
    "all": _any_all,
    "json.dumps": _json_dumps,
    "json.loads": _builtin("$parse({0})"),
    "str.lower": _builtin("$lowercase({0})"),
    "str.upper": _builtin("$uppercase({0})"),
    "str.strip": _strip,
    "str.lstrip": _strip,
    "str.rstrip": _strip,
    "str.split": _split,
    "str.join": _join,
    "str.startswith": _startswith,
    "str.endswith": _helper("pf_endswith"),
    "str.replace": _replace,
    "str.find": _find,
    "str.rfind": _find,
    "str.index": _find,
    "str.rindex": _find,
    "str.count": _find,
    "str.removeprefix": _removefix,
    "str.removesuffix": _removefix,
    "str.zfill": _zfill,
    "str.ljust": _just,
    "str.rjust": _just,
    "str.center": _just,
    "str.partition": _partition,
    "str.rpartition": _partition,
    "str.splitlines": _helper("pf_splitlines"),
    "str.isspace": _builtin(f"$contains({{0}}, /^{WS}+$/)"),
    "str.isdigit": _predicate,
    "str.title": _casemap,
    "str.capitalize": _casemap,
    "str.casefold": _casemap,
    "str.isalpha": _predicate,
    "str.isalnum": _predicate,
    "str.isupper": _predicate,
    "str.islower": _predicate,
    "dict.get": _get,
    "dict.keys": _builtin("[$keys({0})]"),
    "dict.values": _helper("pf_values"),
    "dict.items": _helper("pf_items"),
    "datetime.timestamp": _timestamp,
    "datetime.isoformat": _isoformat,
    "datetime.strftime": strftime,
    **{name: field for name in sorted(FIELDS)},
    "timedelta": lambda lw, e, a: timedeltas.constructor(lw, e),
    **{name: (lambda lw, e, a: timedeltas.attribute(lw, e)) for name in timedeltas.ATTRIBUTES},
    "timedelta.total_seconds": lambda lw, e, a: timedeltas.attribute(lw, e),
}


def inexact_calls(program: ir.Program) -> list[Diagnostic]:
    """PFC040 for every call JSON values cannot answer as Python does (an ``isinstance`` or a ``set``:
    :mod:`portaflow.backends.jsontypes`; a lazy object kept as a value: :mod:`portaflow.backends.lazy`; a
    generator that may raise under zip: :mod:`portaflow.backends.generators`), one per statement;
    AwsBackend.check runs it before anything is lowered."""
    out: list[Diagnostic] = []
    for wf in program.workflows.values():
        source = wf.source or program.source
        for stmt in ir.walk_stmts(wf.body):
            kept = lazy.first_kept(stmt)
            found = lazy.refusal(*kept, "Step Functions") if kept is not None else None
            for node in ir.own_nodes(stmt):
                found = found or (_inexact(node) if isinstance(node, ir.Call) else None)
            if found is not None:
                message, instead = found
                out.append(Diagnostic("PFC040", message, source, stmt.loc.line, stmt.loc.col, instead))
    return out


def _inexact(call: ir.Call) -> tuple[str, str] | None:
    eager = generators.eager_refusal(call, "Step Functions")
    if eager is not None:
        return eager
    if call.func == "set":
        return jsontypes.set_refusal(call, "Step Functions")
    return jsontypes.refusal(call, "Step Functions") if call.func == "isinstance" else None


# Rows the frontend never lowers to a call: (the code a workflow gets for such a call, why)
REFUSED: dict[str, tuple[str, str]] = {
    "list.append": ("PFC023", "a statement of its own: an Assign of xs + [x] (in_place), a Pass state"),
    "list.extend": ("PFC023", "a statement of its own: an Assign of xs + ys (in_place), a Pass state"),
    **{
        row.name: ("PFC040", "datetime arithmetic: on Step Functions ctx.now() is an ISO-8601 string")
        for row in catalog.ROWS
        if row.receiver == "datetime" and row.name not in LOWERED
    },
}
