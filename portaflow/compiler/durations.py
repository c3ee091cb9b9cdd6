"""Duration literals as the DSL accepts them: "250ms", "30s", "5m", "2h", "3d", "1h30m", numbers (seconds)."""

from __future__ import annotations

import re

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")


def parse_duration(text: str) -> float:
    """Seconds in ``text``; raises ValueError with a readable message when it is not a duration."""
    s = text.strip().lower().replace(" ", "")
    if not s:
        raise ValueError("empty duration")
    try:
        value = float(s)
    except ValueError:
        pos = 0
        total = 0.0
        for m in _PART.finditer(s):
            if m.start() != pos:
                break
            total += float(m.group(1)) * _UNITS[m.group(2)]
            pos = m.end()
        if pos != len(s) or pos == 0:
            raise ValueError(
                f"{text!r} is not a duration: write a number of seconds or e.g. '250ms', '30s', '5m', "
                "'2h', '3d', '1h30m'"
            ) from None
        return total
    if value < 0:
        raise ValueError(f"{text!r} is negative")
    return value
