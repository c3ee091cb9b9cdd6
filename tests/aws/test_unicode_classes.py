"""The regexes of str.isdigit/isalpha/isalnum/isupper/islower on AWS (portaflow/backends/aws/lower/unicode.py)
match exactly the code points for which the compiling Python's predicate is true, as JavaScript matches them:
UTF-16 code units, an astral character being a surrogate pair."""

from __future__ import annotations

import re

import pytest

from portaflow.backends.aws.lower.unicode import ranges, regex


def _units(c: str) -> str:
    b = c.encode("utf-16-le", "surrogatepass")
    return "".join(chr(int.from_bytes(b[i : i + 2], "little")) for i in range(0, len(b), 2))


@pytest.mark.parametrize("predicate", ["isdigit", "isalpha", "isalnum", "isupper", "islower", "istitle_only"])
def test_the_class_is_pythons_for_every_code_point(predicate: str) -> None:
    rx = re.compile(f"^{regex(ranges(predicate))}$")
    wrong = []
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        want = c.istitle() and not c.isupper() if predicate == "istitle_only" else getattr(c, predicate)()
        if bool(rx.match(_units(c))) != want:
            wrong.append(f"U+{cp:04X}")
    assert not wrong, wrong[:20]
    assert not rx.match(_units("ab")), "one character only"
