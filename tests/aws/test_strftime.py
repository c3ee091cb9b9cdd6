"""``t.strftime(format)`` on Step Functions (``backends/aws/lower/strftime.py``) against CPython: every
directive the frontend accepts, at instants of many years, days and hours, on jsonata-python (the harness)
and on jsonata-js (what Step Functions runs). ctx.now() there is ``$now()``'s ISO string, in milliseconds."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from portaflow.backends.aws.lower.jsonata import Lowerer
from portaflow.backends.aws.lower.strftime import pieces
from portaflow.backends.aws.offline.exprcheck import eval_jsonata, eval_jsonata_js, jsonata_js, with_names
from portaflow.compiler import ir
from portaflow.compiler.frontend.datetimes import STRFTIME_DIRECTIVES

EVERY = " ".join(f"%{d}" for d in sorted(STRFTIME_DIRECTIVES)) + " at %H:%M, day %j %%d"


def _instants() -> list[datetime]:
    rng = random.Random(7)
    start = datetime(1000, 1, 1, tzinfo=UTC)
    span = (datetime(9999, 12, 31, tzinfo=UTC) - start).total_seconds()
    fixed = [
        datetime(2026, 12, 4, 4, 14, 30, 123000, tzinfo=UTC),
        datetime(2024, 2, 29, 12, tzinfo=UTC),
        datetime(2024, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(1969, 12, 31, 0, 30, tzinfo=UTC),
        datetime(2000, 3, 1, 11, 59, tzinfo=UTC),
    ]
    drawn = [start + timedelta(milliseconds=round(rng.random() * span * 1000)) for _ in range(250)]
    return fixed + drawn


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"  # as $now() writes it


def _expression(fmt: str) -> str:
    low = Lowerer(lambda n: f"${n}")
    call = ir.Call("datetime.strftime", (ir.Name("t", "datetime"), ir.Const(fmt, "str")), (), "str")
    return low.finish(low.lower(call))


def test_the_format_is_split_into_text_and_directives() -> None:
    assert pieces("%Y-%m %%") == [(True, "Y"), (False, "-"), (True, "m"), (False, " "), (True, "%")]
    assert pieces("") == [] and pieces("plain") == [(False, "plain")]


@pytest.mark.parametrize("fmt", [EVERY, "%Y-%m-%d", "%d %B %Y, %I:%M %p", "", "no directive"])
def test_strftime_is_cpythons_on_jsonata_python(fmt: str) -> None:
    text = _expression(fmt)
    for t in _instants():
        assert eval_jsonata(with_names(text, {"t": _iso(t)}), {}) == t.strftime(fmt), t


def test_strftime_is_cpythons_on_jsonata_js() -> None:
    package = jsonata_js()
    if package is None:
        pytest.skip("jsonata-js (npm) is not installed")
    text = _expression(EVERY)
    instants = _instants()
    got = eval_jsonata_js([with_names(text, {"t": _iso(t)}) for t in instants], package)
    assert [v for _, v in got] == [t.strftime(EVERY) for t in instants]


def test_a_format_known_at_run_time_gives_the_same_text() -> None:
    """The frontend takes only a literal format; the lowering of the row still answers any string."""
    low = Lowerer(lambda n: f"${n}")
    call = ir.Call("datetime.strftime", (ir.Name("t", "datetime"), ir.Name("f", "str")), (), "str")
    text = low.finish(low.lower(call))
    for t in _instants()[:40]:
        assert eval_jsonata(with_names(text, {"t": _iso(t), "f": EVERY}), {}) == t.strftime(EVERY)


FIELDS = ["year", "month", "day", "hour", "minute", "second", "microsecond", "weekday", "isoweekday"]


def _fields_expression() -> str:
    low = Lowerer(lambda n: f"${n}")
    t = ir.Name("t", "datetime")
    calls = [ir.Call(f"datetime.{f}", (t,), (), "int") for f in FIELDS]
    return low.finish(low.lower(ir.ListExpr(tuple(calls), "list")))


def _python_fields(t: datetime) -> list[int]:
    return [getattr(t, f)() if f.endswith("weekday") else getattr(t, f) for f in FIELDS]


def test_the_fields_and_weekday_are_cpythons() -> None:
    text = _fields_expression()
    for t in _instants():
        assert eval_jsonata(with_names(text, {"t": _iso(t)}), {}) == _python_fields(t), t
    package = jsonata_js()
    if package is not None:
        got = eval_jsonata_js([with_names(text, {"t": _iso(t)}) for t in _instants()], package)
        assert [v for _, v in got] == [_python_fields(t) for t in _instants()]
