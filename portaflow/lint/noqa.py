"""``# noqa`` comments: bare ``# noqa`` silences every finding on its line, ``# noqa: PF101, PF102`` those
codes."""

from __future__ import annotations

import re

_NOQA = re.compile(
    r"#\s*noqa(?::[\s]*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)


def is_suppressed(line_text: str, code: str) -> bool:
    if "noqa" not in line_text.lower():
        return False
    for match in _NOQA.finditer(line_text):
        codes = match.group("codes")
        if codes is None:
            # a bare marker, or one whose colon is followed by something that is not a code list
            tail = line_text[match.end() :]
            if not tail.lstrip().startswith(":"):
                return True
            continue
        if code.upper() in {c.upper() for c in re.split(r"[,\s]+", codes) if c}:
            return True
    return False
