"""``datetime.timedelta`` on Step Functions: a timedelta is its whole number of microseconds, a JSON number.

A double holds every integer up to 2**53 exactly, so microseconds are exact up to 2**53 us (104249 days,
about 285 years; Python's timedeltas go to 999999999 days): a result past that raises ``OverflowError``
saying so (``pf_tdchk``), never a rounded value. On this representation the operations are integer
arithmetic with Python's rounding: ``td +- td``, ``-td``, ``abs(td)``, ``td * int``, ``td // int`` and
``td // td``, ``td % td`` (floor, as Python's ints), ``td / int`` (half to even, CPython's
``_divide_and_round``), ``td / td`` and ``td.total_seconds()`` (one correctly rounded division of exact
integers, as CPython's), ``.days``/``.seconds``/``.microseconds``, ``str(td)``, comparisons of two
timedeltas. ``u - t`` of two datetimes is their milliseconds' difference times 1000. A datetime is
``$now()``'s ISO string, in whole milliseconds: ``t + td`` and ``t - td`` are compiled only for a timedelta
known to hold whole milliseconds (:func:`whole_milliseconds`), with Python's ``OverflowError`` outside the
years 1-9999. What else would differ is refused before lowering (``datetimes.py``, PFC040): ``td * float``,
``td / float``, a timedelta in a list, returned, passed to a step or builtin, formatted with a spec...
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portaflow.compiler import ir

from .jsonata import HELPERS

if TYPE_CHECKING:
    from .jsonata import Lowerer

DAY_US = 86_400_000_000
EXACT = 9007199254740991  # 2**53 - 1
# the instants of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z, in milliseconds
FIRST_MS, LAST_MS = -62135596800000, 253402300799999
_PAST = (
    "timedelta beyond 104249 days: Step Functions computes durations exactly up to 2**53 microseconds "
    "(about 285 years)"
)

HELPERS.update(
    {
        "pf_tdchk": (
            f'function($x){{$abs($x) > {EXACT} ? $pf_raise("OverflowError", "{_PAST}") : $x}}',
            ("pf_raise",),
        ),
        # timedelta(days, seconds, microseconds, milliseconds, minutes, hours, weeks) of ints, each term and
        # each partial sum checked
        "pf_td": (
            "function($d, $s, $u, $ms, $mi, $h, $w){$reduce([$w * 604800000000, $d * 86400000000, "
            "$h * 3600000000, $mi * 60000000, $s * 1000000, $ms * 1000, $u], "
            "function($a, $t){$pf_tdchk($a + $pf_tdchk($t))}, 0)}",
            ("pf_tdchk",),
        ),
        # [days, seconds, microseconds] of $x microseconds, Python's normalisation (0 <= seconds < 86400)
        "pf_tdparts": (
            f"function($x){{($d := $pf_floordiv($x, {DAY_US}, false); $r := $x - $d * {DAY_US}; "
            "$s := $floor($r / 1000000); [$d, $s, $r - $s * 1000000])}",
            ("pf_floordiv",),
        ),
        # str(td): "-1 day, 23:59:59", "2 days, 1:00:00.000500"
        "pf_tdstr": (
            "function($x){($p := $pf_tdparts($x); $s := $p[1]; "
            '$hms := $string($floor($s / 3600)) & ":" & $pad($string($floor($s % 3600 / 60)), -2, "0") & '
            '":" & $pad($string($s % 60), -2, "0"); '
            '($p[0] != 0 ? $string($p[0]) & " day" & ($abs($p[0]) != 1 ? "s" : "") & ", " : "") & $hms & '
            '($p[2] != 0 ? "." & $pad($string($p[2]), -6, "0") : ""))}',
            ("pf_tdparts",),
        ),
        # repr(td): "datetime.timedelta(days=-1, seconds=81000)", "datetime.timedelta(0)"
        "pf_tdrepr": (
            'function($x){($p := $pf_tdparts($x); $a := [$p[0] != 0 ? "days=" & $string($p[0]), '
            '$p[1] != 0 ? "seconds=" & $string($p[1]), $p[2] != 0 ? "microseconds=" & $string($p[2])]; '
            '"datetime.timedelta(" & ($count($a) = 0 ? "0" : $join($a, ", ")) & ")")}',
            ("pf_tdparts",),
        ),
        # td / n: CPython's _divide_and_round of the microseconds (half to even)
        "pf_tddivround": (
            "function($a, $b){$b = 0 ? "
            '$pf_raise("ZeroDivisionError", "integer division or modulo by zero") : '
            "($q := $pf_floordiv($a, $b, false); $r := ($a - $q * $b) * 2; "
            "$up := ($b > 0 ? $r > $b : $r < $b) or ($r = $b and $q % 2 != 0); $up ? $q + 1 : $q)}",
            ("pf_raise", "pf_floordiv"),
        ),
        # t + td (td in whole milliseconds): the ISO string $now() writes, OverflowError outside years 1-9999
        "pf_dtadd": (
            f"function($t, $x){{($m := $toMillis($t) + $x / 1000; $m < {FIRST_MS} or $m > {LAST_MS} ? "
            '$pf_raise("OverflowError", "date value out of range") : $fromMillis($m))}',
            ("pf_raise",),
        ),
    }
)


def constructor(low: Lowerer, e: ir.Call) -> str:
    """``timedelta(...)``: the frontend gives its seven int arguments in Python's positional order."""
    return f"{low.h('pf_td')}({', '.join(low.num(a) for a in e.args)})"


ATTRIBUTES = {"timedelta.days": 0, "timedelta.seconds": 1, "timedelta.microseconds": 2}


def attribute(low: Lowerer, e: ir.Call) -> str:
    if e.func == "timedelta.total_seconds":
        return f"({low.lower(e.args[0])} / 1000000)"
    return f"{low.h('pf_tdparts')}({low.lower(e.args[0])})[{ATTRIBUTES[e.func]}]"


def text(low: Lowerer, e: ir.Expr) -> str:
    return f"{low.h('pf_tdstr')}({low.lower(e)})"


def seconds(low: Lowerer, e: ir.Expr) -> str:
    """A timedelta duration (a sleep's, a wait's timeout) in seconds: its total_seconds()."""
    return f"({low.lower(e)} / 1000000)"


def negative_message(low: Lowerer, e: ir.Expr, what: str) -> str:
    """parse_duration's ValueError message for a negative timedelta ``e``."""
    lead = f"{what} must be a finite, non-negative duration, not "
    return f'"{lead}" & {low.h("pf_tdrepr")}({low.lower(e)})'


def binop(low: Lowerer, e: ir.BinOp) -> str:
    """A BinOp of ``TIME_ARITHMETIC`` whose lowering is exact (the others were refused)."""
    lt, rt = e.left.ty, e.right.ty
    if lt == rt == "datetime":
        return f"(($toMillis({low.lower(e.left)}) - $toMillis({low.lower(e.right)})) * 1000)"
    if "datetime" in (lt, rt):
        t, td = (e.left, e.right) if lt == "datetime" else (e.right, e.left)
        x = low.lower(td)
        return f"{low.h('pf_dtadd')}({low.lower(t)}, {'-' if e.op == '-' else ''}({x}))"
    a = low.lower(e.left) if lt == "timedelta" else low.num(e.left)
    b = low.lower(e.right) if rt == "timedelta" else low.num(e.right)
    chk = low.h("pf_tdchk")
    if e.op in ("+", "-", "*"):
        return f"{chk}({a} {e.op} {b})"
    if e.op == "/":
        if rt == "timedelta":
            return f"{low.h('pf_div')}({a}, {b}, false)"
        return f"{low.h('pf_tddivround')}({a}, {b})"
    if e.op == "//":
        return f"{low.h('pf_floordiv')}({a}, {b}, false)"
    if e.op == "%":
        return f"{low.h('pf_mod')}({a}, {b}, false)"
    raise ValueError(f"timedelta {e.op} on Step Functions")


# ------------------------------------------------------------------------------------- what is refused
EXACT_OPS = {
    ("+", "timedelta", "timedelta"),
    ("-", "timedelta", "timedelta"),
    ("*", "timedelta", "int"),
    ("*", "int", "timedelta"),
    ("*", "timedelta", "bool"),
    ("*", "bool", "timedelta"),
    ("/", "timedelta", "timedelta"),
    ("/", "timedelta", "int"),
    ("//", "timedelta", "timedelta"),
    ("//", "timedelta", "int"),
    ("%", "timedelta", "timedelta"),
    ("-", "datetime", "datetime"),
    ("+", "datetime", "timedelta"),
    ("+", "timedelta", "datetime"),
    ("-", "datetime", "timedelta"),
}


def binop_refusal(e: ir.BinOp, whole: set[str]) -> str | None:
    """Why a BinOp of a datetime or timedelta would not be exact; None where it is."""
    key = (e.op, e.left.ty, e.right.ty)
    if key not in EXACT_OPS:
        if "float" in (e.left.ty, e.right.ty):
            return "a timedelta multiplied or divided by a float (CPython rounds the exact product)"
        return "arithmetic on a datetime or timedelta with a value of a type known only at run time"
    if "datetime" in key[1:] and "timedelta" in key[1:]:
        td = e.right if e.left.ty == "datetime" else e.left
        if not whole_milliseconds(td, whole):
            return (
                "a timedelta that may hold microseconds added to a datetime (Step Functions' time counts "
                "whole milliseconds)"
            )
    return None


def whole_milliseconds(e: ir.Expr, whole: set[str]) -> bool:
    """Whether the timedelta ``e`` holds whole milliseconds whatever the run: a ``timedelta(...)`` with no
    microseconds (or a literal multiple of 1000), the difference of two datetimes, and sums, differences,
    int multiples, remainders, negations and copies of those (``whole``: the variables that only ever hold
    one)."""
    if isinstance(e, ir.Call) and e.func == "timedelta":
        us = e.args[2]
        return isinstance(us, ir.Const) and isinstance(us.value, int) and us.value % 1000 == 0
    if isinstance(e, ir.Call) and e.func == "abs":
        return whole_milliseconds(e.args[0], whole)
    if isinstance(e, ir.BinOp):
        if e.left.ty == e.right.ty == "datetime":
            return True
        if e.op in ("+", "-", "%"):
            return whole_milliseconds(e.left, whole) and whole_milliseconds(e.right, whole)
        if e.op == "*":
            td = e.left if e.left.ty == "timedelta" else e.right
            return whole_milliseconds(td, whole)
        return False
    if isinstance(e, ir.UnaryOp) and e.op in ("-", "+"):
        return whole_milliseconds(e.operand, whole)
    if isinstance(e, ir.IfExp):
        return whole_milliseconds(e.body, whole) and whole_milliseconds(e.orelse, whole)
    if isinstance(e, ir.Name):
        return e.id in whole
    return False


def whole_variables(body: tuple[ir.Stmt, ...]) -> set[str]:
    """The variables every timedelta assigned to holds whole milliseconds (a greatest fixed point)."""
    assigned: dict[str, list[ir.Expr]] = {}
    for s in ir.walk_stmts(body):
        if isinstance(s, ir.Assign) and isinstance(s.target, ir.NameTarget):
            assigned.setdefault(s.target.id, []).append(s.value)
        elif isinstance(s, ir.Assign) and isinstance(s.value, ir.ListExpr):  # a, b = x, y
            for t, v in zip(getattr(s.target, "elts", ()), s.value.items, strict=False):
                if isinstance(t, ir.NameTarget):
                    assigned.setdefault(t.id, []).append(v)
    whole = {n for n, values in assigned.items() if all(v.ty == "timedelta" for v in values)}
    changed = True
    while changed:
        changed = False
        for n in sorted(whole):
            if not all(whole_milliseconds(v, whole) for v in assigned[n]):
                whole.discard(n)
                changed = True
    return whole
