"""Python's Unicode tables for the Cloudflare runtime: ``runtime/pyucd.ts`` is generated from this file.

JavaScript's character classes and case mappings are not Python's (``\\s``, ``\\d`` and ``\\w`` are another
set, and ``toUpperCase`` follows the engine's Unicode version, which workerd updates on its own schedule): so
the runtime carries the tables of the Python that generated them (``unicodedata.unidata_version``), taken
from Python's own ``str`` methods code point by code point, as ``tests/cloudflare`` checks.

``python -m portaflow.backends.cloudflare.unicode_tables`` rewrites the file; a test checks that doing so
changes nothing (on the same Unicode version).

Encoding (compact, decoded once when the module loads): a set is base-36 numbers, alternately the gap
from the end of the previous range and the length of the next range minus one; a map is runs of
``gap, count - 1, stride, delta`` (code points ``start + k * stride`` map to themselves plus ``delta``)
for single code points, and an object of the mappings to several code points.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

TARGET = Path(__file__).resolve().parent / "runtime" / "pyucd.ts"
SURROGATES = range(0xD800, 0xE000)
CODE_POINTS = [cp for cp in range(0x110000) if cp not in SURROGATES]


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    if n < 0:
        return "-" + _b36(-n)
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def ranges(test: Callable[[str], bool]) -> list[tuple[int, int]]:
    """The inclusive ranges of the code points ``cp`` for which ``test(chr(cp))``."""
    out: list[tuple[int, int]] = []
    for cp in CODE_POINTS:
        if test(chr(cp)):
            if out and out[-1][1] == cp - 1:
                out[-1] = (out[-1][0], cp)
            else:
                out.append((cp, cp))
    return out


def encode_set(rs: Iterable[tuple[int, int]]) -> str:
    parts: list[str] = []
    end = -1
    for lo, hi in rs:
        parts += [_b36(lo - end - 1), _b36(hi - lo)]
        end = hi
    return ",".join(parts)


def encode_map(mapping: Callable[[str], str]) -> tuple[str, dict[str, str]]:
    """(runs of single code point mappings, {code point: text} of the longer ones)."""
    singles: list[tuple[int, int]] = []
    multi: dict[str, str] = {}
    for cp in CODE_POINTS:
        got = mapping(chr(cp))
        if got == chr(cp):
            continue
        if len(got) == 1:
            singles.append((cp, ord(got) - cp))
        else:
            multi[_b36(cp)] = got
    runs: list[list[int]] = []  # [start, count, stride, delta]
    for cp, delta in singles:
        if runs:
            start, count, stride, d = runs[-1]
            last = start + (count - 1) * stride
            if d == delta and ((count == 1 and cp - last <= 2) or (count > 1 and cp - last == stride)):
                runs[-1] = [start, count + 1, cp - last if count == 1 else stride, d]
                continue
        runs.append([cp, 1, 1, delta])
    parts: list[str] = []
    end = -1
    for start, count, stride, delta in runs:
        parts += [_b36(start - end - 1), _b36(count - 1), _b36(stride), _b36(delta)]
        end = start + (count - 1) * stride
    return ",".join(parts), multi


def _sigma_ignorable(c: str) -> bool:
    # CPython skips case-ignorable characters around a capital sigma: 'A' c 'Σ' ends in final sigma only
    # through c being skipped or cased, '1' c 'Σ' does not when c is skipped
    capital, final, small = "\u03a3", "\u03c2", "\u03c3"
    return ("A" + c + capital).lower()[-1] == final and ("1" + c + capital).lower()[-1] == small


def _cased(c: str) -> bool:
    # str.title() lowers a character after a cased one
    return (c + "a").title()[-1] == "a"


def sets() -> dict[str, str]:
    """Each character class the runtime asks about, by name."""
    return {
        "space": encode_set(ranges(str.isspace)),
        "digit": encode_set(ranges(str.isdigit)),
        "decimal": encode_set(ranges(str.isdecimal)),
        "alpha": encode_set(ranges(str.isalpha)),
        "alnum": encode_set(ranges(str.isalnum)),
        "upper": encode_set(ranges(str.isupper)),
        "lower": encode_set(ranges(str.islower)),
        "title": encode_set(ranges(lambda c: c.istitle() and not c.isupper())),
        "cased": encode_set(ranges(_cased)),
        "ignorable": encode_set(ranges(_sigma_ignorable)),
        "printable": encode_set(ranges(str.isprintable)),
        "linebreak": encode_set(ranges(lambda c: len(("a" + c + "a").splitlines()) == 2)),
    }


def maps() -> dict[str, tuple[str, dict[str, str]]]:
    return {
        "upper": encode_map(str.upper),
        "lower": encode_map(lambda c: c.lower() if c != "Σ" else c),  # the runtime decides sigma by context
        "title": encode_map(str.title),
        "fold": encode_map(str.casefold),
        "decimal": encode_map(lambda c: str(unicodedata.decimal(c)) if c.isdecimal() else c),
    }


def render() -> str:
    lines = [
        "// Generated by `python -m portaflow.backends.cloudflare.unicode_tables` from Python's unicodedata "
        f"{unicodedata.unidata_version}: do not edit.",
        "// Python's character classes and case mappings (see that module for the encoding).",
        "",
        f"export const UNIDATA_VERSION = {json.dumps(unicodedata.unidata_version)};",
        "",
        "export const SETS: Record<string, string> = {",
    ]
    lines += [f"  {name}: {json.dumps(text)}," for name, text in sets().items()]
    lines += ["};", "", "export const MAPS: Record<string, [string, Record<string, string>]> = {"]
    for name, (runs, multi) in maps().items():
        lines.append(f"  {name}: [{json.dumps(runs)}, {json.dumps(multi, ensure_ascii=False)}],")
    lines += ["};", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {TARGET}\n")
