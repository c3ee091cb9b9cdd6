"""``t.strftime(format)`` (and ``f"{t:%Y-%m-%d}"``) on Step Functions, where ``ctx.now()`` is ``$now()``'s
ISO-8601 string (whole milliseconds, UTC).

The frontend lets only a literal format of ``STRFTIME_DIRECTIVES`` through (``compiler/frontend/
datetimes.py``), so the format is split here, when compiling, into its text and its directives, and each
directive is one field of ``pf_strftime``'s object: what CPython with glibc's C locale writes for a UTC
time (``%Y`` unpadded, English names, ``%f`` the microseconds: the milliseconds and ``000``, ``%z``
``+0000``, ``%Z`` ``UTC``). The fields come from the instant's milliseconds by arithmetic and
``$fromMillis`` pictures of numbers only (no names or locale of JSONata's). The same object gives the
fields (``t.year``...) and ``t.weekday()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portaflow.compiler import ir

from .jsonata import HELPERS, jstr

if TYPE_CHECKING:
    from .jsonata import Lowerer

_DAYS = '["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]'
_MONTHS = (
    '["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", '
    '"November", "December"]'
)

HELPERS.update(
    {
        # the text of every directive of the instant $m (milliseconds since the epoch, UTC)
        "pf_strftime": (
            'function($m){($y4 := $fromMillis($m, "[Y0001]"); $y := $number($y4); '
            '$h := $number($fromMillis($m, "[H01]")); $mo := $number($fromMillis($m, "[M01]")); '
            "$day := $floor($m / 86400000); $w := (($day % 7) + 10) % 7; "
            '$jan1 := $floor($toMillis($y4 & "-01-01T00:00:00.000Z") / 86400000); '
            f"$dn := {_DAYS}; $mn := {_MONTHS}; "
            '{"Y": $string($y), "y": $pad($string($y % 100), -2, "0"), "m": $fromMillis($m, "[M01]"), '
            '"d": $fromMillis($m, "[D01]"), "H": $fromMillis($m, "[H01]"), '
            '"I": $pad($string($h % 12 = 0 ? 12 : $h % 12), -2, "0"), "p": $h < 12 ? "AM" : "PM", '
            '"M": $fromMillis($m, "[m01]"), "S": $fromMillis($m, "[s01]"), '
            '"f": $pad($string(($m % 1000 + 1000) % 1000), -3, "0") & "000", '
            '"j": $pad($string($day - $jan1 + 1), -3, "0"), '
            '"a": $substring($dn[$w], 0, 3), "A": $dn[$w], "b": $substring($mn[$mo - 1], 0, 3), '
            '"B": $mn[$mo - 1], "z": "+0000", "Z": "UTC", "%": "%", "weekday": $w})}',
            (),
        ),
    }
)


def pieces(fmt: str) -> list[tuple[bool, str]]:
    """``fmt`` as (is a directive, text) pieces: ``"%Y-%m"`` is ``[(True, "Y"), (False, "-"), (True, "m")]``
    (a ``%`` at the end is text, as CPython leaves it)."""
    out: list[tuple[bool, str]] = []
    i, text = 0, ""
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            if text:
                out.append((False, text))
                text = ""
            out.append((True, fmt[i + 1]))
            i += 2
        else:
            text += fmt[i]
            i += 1
    if text:
        out.append((False, text))
    return out


def strftime(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    """The lowering of ``datetime.strftime`` (a row of ``calls.LOWERINGS``): its literal format's pieces."""
    fmt = e.args[1]
    p = lw.tmp()
    if not (isinstance(fmt, ir.Const) and isinstance(fmt.value, str)):  # the frontend lets none through
        each = (
            f'function($x){{($d := $substring($x, 1); $length($x) = 2 and $substring($x, 0, 1) = "%" and '
            f"$exists($lookup({p}, $d)) ? $lookup({p}, $d) : $x)}}"
        )
        pieces_ = f"[$match({a[1]}, /%[^%]|%%|[^%]+|%/).match]"
        return f"({p} := {lw.h('pf_strftime')}($toMillis({a[0]})); $join([$map({pieces_}, {each})]))"
    parts = [f"$lookup({p}, {jstr(t)})" if directive else jstr(t) for directive, t in pieces(fmt.value)]
    body = " & ".join(parts) if parts else '""'
    return f"({p} := {lw.h('pf_strftime')}($toMillis({a[0]})); {body})"


# t.year... and t.weekday(): a field of pf_strftime's object, as a number
_FIELDS = {
    "year": "Y",
    "month": "m",
    "day": "d",
    "hour": "H",
    "minute": "M",
    "second": "S",
    "microsecond": "f",
}
FIELDS = frozenset({f"datetime.{f}" for f in _FIELDS} | {"datetime.weekday", "datetime.isoweekday"})


def field(lw: Lowerer, e: ir.Call, a: list[str]) -> str:
    """``t.year``, ``t.month``... ``t.microsecond`` (the milliseconds times 1000), ``t.weekday()`` (Monday 0)
    and ``t.isoweekday()`` (Monday 1) of the instant."""
    name = e.func.removeprefix("datetime.")
    parts = f"{lw.h('pf_strftime')}($toMillis({a[0]}))"
    if name in ("weekday", "isoweekday"):
        return f"({parts}.weekday{' + 1' if name == 'isoweekday' else ''})"
    return f"$number($lookup({parts}, {jstr(_FIELDS[name])}))"
