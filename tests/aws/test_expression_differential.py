"""Differential testing of the expression lowering: random expressions of the supported subset over random
JSON values, evaluated by CPython and by the generated JSONata (jsonata-python); then the shared vectors of
``portaflow.backends.pysem`` deterministically. No mismatch is allowed: the same value, or the same exception
(type and message)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("jsonata")

from portaflow.backends.aws.offline.exprcheck import eval_jsonata, lower_expression, marked_error
from portaflow.backends.pysem.forms import ANNOTATIONS, FORMS
from portaflow.backends.pysem.oracle import python_result, raised_as, same
from portaflow.backends.pysem.strategies import environments, expressions
from portaflow.backends.pysem.vectors import vectors

__all__ = ["ANNOTATIONS", "FORMS", "python_result", "raised_as", "same"]  # re-used by test_jsonata_js

EXAMPLES = int(os.environ.get("PORTAFLOW_DIFF_EXAMPLES", "2000"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr=expressions(), names=environments())
def test_jsonata_lowering_agrees_with_cpython(expr: str, names: dict[str, Any]) -> None:
    agrees(expr, names, *python_result(expr, names))


VECTORS = vectors()


@pytest.mark.parametrize("i", range(0, len(VECTORS), 25), ids=lambda i: f"vectors{i}-{i + 24}")
def test_jsonata_lowering_agrees_with_the_shared_vectors(i: int) -> None:
    for v in VECTORS[i : i + 25]:
        agrees(v.expr, v.names, v.raised, v.expected)


def agrees(expr: str, names: dict[str, Any], raised: bool, expected: Any) -> None:
    text_, _ = lower_expression(expr, names, ANNOTATIONS)
    if raised:
        # Python raises: the generated code raises the same exception (type and message), which the state
        # machine routes to `except` clauses as locally
        with pytest.raises(Exception) as info:
            got = eval_jsonata(text_, names)
            print(f"{expr} with {names}: python raised {expected!r}, jsonata gave {got!r}")
        assert marked_error(str(info.value)) == raised_as(expected), f"{expr} with {names}\n{text_}"
        return
    got = eval_jsonata(text_, names)
    assert same(got, expected), f"{expr} with {names}: python {expected!r}, jsonata {got!r}\n{text_}"


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.sampled_from([0, 1, 5, 999, 1000, 1_700_000_000_000, 1_714_564_800_123, 4_102_444_799_999]),
        st.integers(min_value=0, max_value=4_102_444_800_000),
    )
)
def test_now_timestamp_and_isoformat_match_python_for_every_millisecond(ms: int) -> None:
    """ctx.now() is $now()'s ISO string on AWS (whole milliseconds): .timestamp() is the float Python's
    datetime gives for that instant, .isoformat() Python's text (``+00:00``, no fraction at .000)."""
    from datetime import UTC, datetime, timedelta

    from portaflow.backends.aws.lower.jsonata import Lowerer
    from portaflow.compiler import ir

    instant = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    iso = eval_jsonata(f"$fromMillis({ms})", {})  # what $now() returns at that instant
    want: dict[str, Any] = {"timestamp": instant.timestamp(), "isoformat": instant.isoformat()}
    methods: list[tuple[str, ir.Type]] = [("timestamp", "float"), ("isoformat", "str")]
    for method, ty in methods:
        low = Lowerer(lambda n: f"${n}")
        call = ir.Call(f"datetime.{method}", (ir.Name("t", "any"),), (), ty)
        got = eval_jsonata(low.finish(low.lower(call)), {"t": iso})
        assert got == want[method], (method, iso, got)  # a JSON number: 0.0 arrives as 0
