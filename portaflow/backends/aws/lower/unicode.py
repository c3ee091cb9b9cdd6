"""Python's character classes of ``str.isdigit/isalpha/isalnum/isupper/islower`` as JavaScript regexes.

JavaScript's ``\\d`` and ``\\w`` are ASCII, and a regex without the ``u`` flag (JSONata's) matches UTF-16 code
units: each class is computed once from the compiling Python's own ``str`` predicates (its Unicode database,
``unicodedata.unidata_version``) and written as a BMP character class plus surrogate pairs for the astral
ranges, so the lowering gives that Python's result for every code point.
"""

from __future__ import annotations

from functools import cache

from .jsonata import HELPERS

_SURROGATES = range(0xD800, 0xE000)


@cache
def ranges(predicate: str) -> tuple[tuple[int, int], ...]:
    """The code point ranges (inclusive) of the characters ``c`` for which ``c.<predicate>()`` is true;
    ``"istitle_only"``: a titlecase character that is not uppercase (Lt)."""
    if predicate == "istitle_only":

        def test(c: str) -> bool:
            return c.istitle() and not c.isupper()
    else:
        method = getattr(str, predicate)

        def test(c: str) -> bool:
            return bool(method(c))

    out: list[tuple[int, int]] = []
    start = -1
    for cp in range(0x110000):
        ok = cp not in _SURROGATES and test(chr(cp))
        if ok and start < 0:
            start = cp
        elif not ok and start >= 0:
            out.append((start, cp - 1))
            start = -1
    if start >= 0:
        out.append((start, 0x10FFFF))
    return tuple(out)


def _u(n: int) -> str:
    return f"\\u{n:04X}"


def _span(lo: int, hi: int) -> str:
    return _u(lo) if lo == hi else f"{_u(lo)}-{_u(hi)}"


def regex(rs: tuple[tuple[int, int], ...]) -> str:
    """A JavaScript regex (no flags, UTF-16 code units) matching one character of ``rs``, as a group."""
    bmp = "".join(_span(lo, min(hi, 0xFFFF)) for lo, hi in rs if lo <= 0xFFFF)
    alts = [f"[{bmp}]"] if bmp else []
    for lo, hi in rs:
        lo = max(lo, 0x10000)
        if lo > hi:
            continue
        while lo <= hi:
            high = 0xD800 + ((lo - 0x10000) >> 10)
            block_end = (
                0x10000 + ((high - 0xD800 + 1) << 10) - 1
            )  # the last code point of this high surrogate
            end = min(hi, block_end)
            low_lo, low_hi = 0xDC00 + ((lo - 0x10000) & 0x3FF), 0xDC00 + ((end - 0x10000) & 0x3FF)
            if low_lo == 0xDC00 and end == block_end and hi > block_end:
                # whole blocks of high surrogates: one class of them
                last_high = 0xD800 + ((hi - 0x10000) >> 10)
                full_end = 0x10000 + ((last_high - 0xD800 + 1) << 10) - 1
                if full_end > hi:
                    last_high -= 1
                alts.append(f"[{_span(high, last_high)}][\\uDC00-\\uDFFF]")
                lo = 0x10000 + ((last_high - 0xD800 + 1) << 10)
                continue
            alts.append(f"{_u(high)}[{_span(low_lo, low_hi)}]")
            lo = end + 1
    return "(?:" + "|".join(alts) + ")" if alts else "(?!)"


_ALL = {"isdigit": "isdigit", "isalpha": "isalpha", "isalnum": "isalnum"}


def helper(method: str) -> str:
    """The name of the helper (registered in HELPERS) that is ``s.<method>()`` for a str ``s``."""
    name = f"pf_{method}"
    if name in HELPERS:
        return name
    if method in _ALL:
        src = f"function($s){{$contains($s, /^{regex(ranges(method))}+$/)}}"
    else:
        # CPython: some cased character of the kind, and none of the other case or titlecase
        kind, other = ("islower", "isupper") if method == "islower" else ("isupper", "islower")
        banned = tuple(sorted(ranges(other) + ranges("istitle_only")))
        has, lacks = regex(ranges(kind)), regex(banned)
        src = f"function($s){{$contains($s, /{has}/) and $not($contains($s, /{lacks}/))}}"
    HELPERS[name] = (src, ())
    return name
