"""Duration parsing shared by the DSL, the engine and the compilers.

One grammar everywhere ("250ms", "30s", "5m", "2h", "3d", compounds like "1h30m", numbers of seconds,
``timedelta``) so a workflow means the same wait on every target.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta

Duration = str | int | float | timedelta

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")


def parse_duration(value: Duration, *, what: str = "duration") -> float:
    """Return the duration in seconds; raise ``ValueError`` naming the accepted forms on bad input."""
    if isinstance(value, bool):
        raise ValueError(
            f"{what} must be a duration such as '30s', '5m', '2h', '3d' or seconds, not {value!r}"
        )
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        pos, seconds = 0, 0.0
        for match in _PART.finditer(text):
            if match.start() != pos:
                break
            seconds += float(match.group(1)) * _UNITS[match.group(2)]
            pos = match.end()
        if pos != len(text) or not text:
            raise ValueError(
                f"{what}: {value!r} is not a duration; write e.g. '250ms', '30s', '5m', '2h', '3d' or '1h30m'"
            )
    else:
        raise ValueError(f"{what} must be a duration such as '30s' or a number of seconds, not {value!r}")
    if math.isnan(seconds) or math.isinf(seconds) or seconds < 0:
        raise ValueError(f"{what} must be a finite, non-negative duration, not {value!r}")
    return seconds


def format_duration(seconds: float) -> str:
    """Render seconds the way a person reads them: '250ms', '2s', '1m30s', '3d'."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    out, rest = [], seconds
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if rest >= size:
            count = int(rest // size)
            out.append(f"{count}{unit}")
            rest -= count * size
    if rest or not out:
        out.append(f"{rest:g}s" if rest != int(rest) else f"{int(rest)}s")
    return "".join(out)
