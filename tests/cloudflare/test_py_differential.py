"""Differential testing of the Cloudflare expression lowering: random expressions of the supported subset
(pysem.strategies) over random values, CPython against the generated TypeScript under Node.js. Each
case is drawn by hypothesis, and all of them are evaluated by one bundle and one Node.js run; no mismatch is
allowed (the same value, or the same exception type and message)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from portaflow.backends.cloudflare.offline.exprcheck import Case, difference, evaluate
from portaflow.backends.cloudflare.offline.node import NodeUnavailable, ensure_node_modules
from portaflow.backends.pysem.forms import ANNOTATIONS
from portaflow.backends.pysem.strategies import environments, expressions

EXAMPLES = int(os.environ.get("PORTAFLOW_CF_DIFF_EXAMPLES", "2500"))


def samples(n: int) -> list[tuple[str, dict[str, Any]]]:
    """``n`` random (expression, environment) cases drawn by hypothesis (a list strategy of whole batches
    is far slower to draw than its examples one by one)."""
    out: list[tuple[str, dict[str, Any]]] = []

    @settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(expressions(significant=True), environments())  # e/g specs too: exact here
    def draw(expr: str, names: dict[str, Any]) -> None:
        out.append((expr, names))

    draw()
    return out


def test_typescript_lowering_agrees_with_cpython() -> None:
    try:
        ensure_node_modules()
    except NodeUnavailable as exc:
        pytest.skip(str(exc))
    cases = samples(EXAMPLES)
    outcomes = evaluate([Case(e, names, ANNOTATIONS) for e, names in cases])
    found = (difference(e, names, got) for (e, names), got in zip(cases, outcomes, strict=True))
    failures = [f for f in found if f is not None]
    assert not failures, f"{len(failures)} of {len(cases)} cases differ:\n" + "\n".join(failures[:20])
