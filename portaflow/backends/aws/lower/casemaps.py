"""Python's ``str.title()``, ``str.capitalize()`` and ``str.casefold()`` in JSONata.

JavaScript has no titlecase, no full case folding and no notion of a cased character, so each mapping is
computed once from the compiling Python's own ``str`` methods, code point by code point (as the classes of
:mod:`.unicode` are), and written into the helper as a JSONata object of the characters it changes: the
lowering gives that Python's result for every code point. CPython's rules, kept here: ``title()`` lowers a
character after a cased one and titlecases any other; ``capitalize()`` titlecases the first and lowers the
rest; lowering a capital sigma gives the final sigma after a cased letter that no cased letter follows,
case-ignorable characters skipped (``handle_capital_sigma``); ``casefold()`` folds each character alone.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from . import unicode
from .jsonata import CHAR, HELPERS, jstr

_SURROGATES = range(0xD800, 0xE000)
_SIGMA = "\u03a3"


def _cased(c: str) -> bool:
    """Whether ``title()`` lowers the character after ``c`` (CPython's _PyUnicode_IsCased)."""
    return (c + "a").title()[-1] == "a"


def _sigma_ignorable(c: str) -> bool:
    """Whether CPython skips ``c`` when it looks around a capital sigma for a cased letter."""
    return ("A" + c + _SIGMA).lower()[-1] == "\u03c2" and ("1" + c + _SIGMA).lower()[-1] == "\u03c3"


@cache
def _table(mapping: Callable[[str], str], sigma: bool = True) -> str:
    """A JSONata object of every character ``mapping`` changes (without the capital sigma unless ``sigma``:
    lowering decides it by its context)."""
    pairs = []
    for cp in range(0x110000):
        c = chr(cp)
        if cp in _SURROGATES or (c == _SIGMA and not sigma):
            continue
        got = mapping(c)
        if got != c:
            pairs.append(f"{jstr(c)}: {jstr(got)}")
    return "{" + ", ".join(pairs) + "}"


@cache
def _class(test: Callable[[str], bool]) -> str:
    rs: list[tuple[int, int]] = []
    for cp in range(0x110000):
        if cp not in _SURROGATES and test(chr(cp)):
            if rs and rs[-1][1] == cp - 1:
                rs[-1] = (rs[-1][0], cp)
            else:
                rs.append((cp, cp))
    return f"/^{unicode.regex(tuple(rs))}$/"


def _mapped(table: str) -> str:
    """A function of one character: its mapping in ``table``, else itself."""
    return f"function($c){{($m := $lookup({table}, $c); $exists($m) ? $m : $c)}}"


def call(method: str, s: str) -> tuple[str, str]:
    """(the helper registered in HELPERS, its call's arguments after the helper's name) of ``s.<method>()``:
    ``title`` and ``capitalize`` share one helper (and its tables), told apart by an argument."""
    if method == "casefold":
        return helper("casefold"), f"({s})"
    return helper("titlecase"), f"({s}, {'true' if method == 'title' else 'false'})"


def helper(method: str) -> str:
    """The name of the helper (registered in HELPERS) for ``casefold`` (``$pf_casefold(s)``) or ``titlecase``
    (``$pf_titlecase(s, $title)``: ``s.title()`` if ``$title``, else ``s.capitalize()``)."""
    name = f"pf_{method}"
    if name in HELPERS:
        return name
    chars = f"[$match($s, /{CHAR}/).match]"
    if method == "casefold":
        src = (
            f"function($s){{($f := {_mapped(_table(str.casefold))}; "
            f'$reduce({chars}, function($a, $c){{$a & $f($c)}}, ""))}}'
        )
        HELPERS[name] = (src, ())
        return name
    cased, ignorable = _class(_cased), _class(_sigma_ignorable)
    lower = (
        f"$low := {_mapped(_table(str.lower, sigma=False))}; $ttl := {_mapped(_table(str.title))}; "
        f"$cased := function($c){{$contains($c, {cased})}}; "
        f"$ign := function($c){{$contains($c, {ignorable})}}; "
        "$back := function($j){$j < 0 ? -1 : $ign($cs[$j]) ? $back($j - 1) : $j}; "
        "$fwd := function($j){$j >= $count($cs) ? $j : $ign($cs[$j]) ? $fwd($j + 1) : $j}; "
        f'$lowat := function($i){{$cs[$i] = "{_SIGMA}" ? (($b := $back($i - 1); $f := $fwd($i + 1); '
        "$b >= 0 and $cased($cs[$b]) and ($f >= $count($cs) or $not($cased($cs[$f])))) ? "
        '"\u03c2" : "\u03c3") : $low($cs[$i])}; '
    )
    after = "$i > 0 and ($title ? $cased($cs[$i - 1]) : true)"
    src = (
        f"function($s, $title){{($cs := {chars}; {lower}"
        f'$reduce($cs, function($a, $c, $i){{$a & (({after}) ? $lowat($i) : $ttl($c))}}, ""))}}'
    )
    HELPERS[name] = (src, ())
    return name
