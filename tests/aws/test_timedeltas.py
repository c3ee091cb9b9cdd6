"""Timedelta arithmetic on Step Functions (``backends/aws/lower/timedeltas.py``: a timedelta is its whole
microseconds) against CPython: value, or exception type and message, of each form over many integers, on
jsonata-python (the harness) and on jsonata-js (what Step Functions runs)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from portaflow.backends.aws.offline.exprcheck import (
    eval_jsonata,
    eval_jsonata_js,
    jsonata_js,
    lower_expression,
    marked_error,
    with_names,
)
from portaflow.backends.pysem.oracle import python_result, raised_as

TD = "timedelta(days=a, seconds=b, microseconds=c)"
TD2 = "timedelta(hours=d, milliseconds=b)"
FORMS = [
    f"str({TD})",
    f"[{TD}.days, {TD}.seconds, {TD}.microseconds, {TD}.total_seconds()]",
    f"str({TD} + {TD2})",
    f"str({TD} - {TD2})",
    f"str(-{TD})",
    f"str(abs({TD}))",
    f"str({TD} * d)",
    f"str(d * {TD})",
    f"str({TD} // d)",
    f"str({TD} / d)",
    f"{TD} / {TD2}",
    f"{TD} // {TD2}",
    f"str({TD} % {TD2})",
    f"[{TD} < {TD2}, {TD} == {TD2}, {TD} >= {TD2}, {TD} != {TD2}]",
    f"[bool({TD}), not {TD2}, 1 if {TD} else 0]",
    f"f'{{{TD}}} and {{{TD2}!s}}'",
    "str(timedelta(weeks=a, minutes=d, milliseconds=c))",
]
ANNOTATIONS = {n: "int" for n in "abcd"}


def _names(rng: random.Random) -> dict[str, int]:
    """Within the exact range (2**53 microseconds, 104249 days: the module's docstring)."""
    edges = [0, 1, -1, 2, 3, 7, 999, 1000, 999999, 1000000, 86399, 86400]

    def pick(lim: int) -> int:
        return rng.choice([e for e in edges if e <= lim]) if rng.random() < 0.4 else rng.randint(-lim, lim)

    return {"a": pick(2000), "b": pick(200000), "c": pick(5_000_000), "d": pick(50)}


def _cases() -> list[tuple[str, dict[str, int]]]:
    rng = random.Random(53)
    return [(form, _names(rng)) for form in FORMS for _ in range(40)]


def _expected(expr: str, names: dict[str, int]) -> tuple[bool, Any]:
    raised, value = python_result(expr, names)
    return (True, raised_as(value)) if raised else (False, value)


def _text(expr: str, names: dict[str, int]) -> str:
    text, _ = lower_expression(expr, names, ANNOTATIONS)
    return with_names(text, names)


@pytest.mark.parametrize("form", FORMS)
def test_timedeltas_agree_with_cpython_on_jsonata_python(form: str) -> None:
    for expr, names in [c for c in _cases() if c[0] == form]:
        raised, expected = _expected(expr, names)
        try:
            got: Any = (False, eval_jsonata(_text(expr, names), {}))
        except Exception as exc:  # the marked Python error of the expression
            got = (True, marked_error(str(exc)))
        assert got == (raised, expected), (expr, names)


def test_timedeltas_agree_with_cpython_on_jsonata_js() -> None:
    package = jsonata_js()
    if package is None:
        pytest.skip("jsonata-js (npm) is not installed")
    cases = _cases()
    results = eval_jsonata_js([_text(e, n) for e, n in cases], package)
    for (expr, names), (ok, value) in zip(cases, results, strict=True):
        got = (False, value) if ok else (True, marked_error(value))
        assert got == _expected(expr, names), (expr, names)


def test_past_the_exact_range_an_overflow_error_says_so() -> None:
    """A documented target difference (docs/dsl.md): Python's timedeltas go to 999999999 days, Step
    Functions' microseconds are exact to 2**53 (104249 days); past that the run gets an OverflowError
    naming the limit, never a rounded duration."""
    for expr in ["str(timedelta(days=a))", "str(timedelta(days=1000) * a)", "str(timedelta(weeks=a))"]:
        with pytest.raises(Exception) as info:
            eval_jsonata(_text(expr, {"a": 200000}), {})
        assert marked_error(str(info.value)) == (
            "OverflowError",
            "timedelta beyond 104249 days: Step Functions computes durations exactly up to 2**53 "
            "microseconds (about 285 years)",
        )
    assert eval_jsonata(_text("str(timedelta(days=a))", {"a": 104249}), {}) == "104249 days, 0:00:00"


def test_a_timedelta_repr_is_pythons() -> None:
    from datetime import timedelta

    from portaflow.backends.aws.lower.jsonata import Lowerer

    low = Lowerer(lambda n: f"${n}")
    text = low.finish(f"{low.h('pf_tdrepr')}($x)")
    for td in [
        timedelta(0),
        timedelta(days=-1, seconds=81000),
        timedelta(microseconds=5),
        timedelta(3, 4, 5),
    ]:
        us = (td.days * 86400 + td.seconds) * 1_000_000 + td.microseconds
        assert eval_jsonata(with_names(text, {"x": us}), {}) == repr(td)
