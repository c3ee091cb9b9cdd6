"""A wait's timeout computed at run time on Step Functions (``backends/aws/lower/waits.py``): the EventTimeout
message is ``format_duration`` of the value given, on jsonata-python (the harness) and on jsonata-js (what
Step Functions runs), and the value's checks are the local engine's parse_duration errors."""

from __future__ import annotations

import json
import random

import pytest

from portaflow.backends.aws.lower import waits  # noqa: F401 - registers the helpers
from portaflow.backends.aws.lower.jsonata import Lowerer
from portaflow.backends.aws.offline.exprcheck import eval_jsonata, eval_jsonata_js, jsonata_js
from portaflow.dsl.durations import format_duration, parse_duration


def _call(helper: str, arg: object) -> str:
    low = Lowerer(lambda n: f"${n}")
    body = f"{low.h(helper)}({json.dumps(arg)})"
    return low.finish(body)


def _seconds() -> list[float]:
    rng = random.Random(11)
    fixed = [
        0,
        0.0004,
        0.0005,
        0.0015,
        0.25,
        0.9999,
        1,
        1.5,
        59.9999996,
        60,
        60.00001,
        90.1,
        3599.5,
        3600,
        3690,
        86399.999,
        86400,
        90061,
        172800.25,
        1e-5,
        60.0000001,
        7200.123456789,
        31536000,
    ]
    drawn = [round(rng.uniform(0, 400000), rng.choice([0, 0, 1, 3, 6, 9])) for _ in range(300)]
    drawn += [rng.choice([60, 3600, 86400]) + rng.random() * 10 ** -rng.randint(1, 12) for _ in range(100)]
    return [float(x) for x in fixed] + drawn


def test_format_duration_matches_the_local_engine_on_jsonata_python() -> None:
    for s in _seconds():
        assert eval_jsonata(_call("pf_fmtdur", s), {}) == format_duration(s), s


def test_format_duration_matches_the_local_engine_on_jsonata_js() -> None:
    package = jsonata_js()
    if package is None:
        pytest.skip("jsonata-js (npm) is not installed")
    values = _seconds()
    got = eval_jsonata_js([_call("pf_fmtdur", s) for s in values], package)
    assert [v for ok, v in got] == [format_duration(s) for s in values]


@pytest.mark.parametrize(
    "value", [3600, 1.5, "30m", "1h30m", " 2h ", "30", "5 min", "", True, False, -1, [1], None]
)
def test_the_wait_checks_give_parse_durations_error(value: object) -> None:
    got = eval_jsonata(_call("pf_wait_error", value), {})
    if value is None:
        assert got is None  # no timeout: wait as long as it takes
        return
    try:
        parse_duration(value, what="ctx.wait_for_event timeout")  # type: ignore[arg-type]
    except ValueError as e:
        assert got == str(e)
    else:
        assert got is None
