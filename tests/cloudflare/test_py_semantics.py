"""The Cloudflare expression lowering against CPython on the shared vectors of portaflow.backends.pysem:
every form (and ARITHMETIC) over every environment, lowered to TypeScript over the shipped py runtime,
bundled and run once (one Node.js process for all of them); each vector is one test, reading that run.

No mismatch is allowed: the same value (by the oracle's JSON comparison), or the same exception (type and
message). Python's result is taken as CPython gives it (``-0.0`` stays ``-0.0``: TypeScript has it).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from portaflow.backends.cloudflare.offline.exprcheck import Case, Outcome, evaluate
from portaflow.backends.cloudflare.offline.node import NodeUnavailable, ensure_node_modules
from portaflow.backends.pysem.forms import ANNOTATIONS
from portaflow.backends.pysem.oracle import same
from portaflow.backends.pysem.vectors import vectors

VECTORS = vectors()
# what a supported expression may raise (the catalogue's classes, and OverflowError of int(inf) and **)
RAISES = (ZeroDivisionError, TypeError, ValueError, IndexError, KeyError, OverflowError, AttributeError)


def cpython(expr: str, names: dict[str, Any]) -> tuple[bool, Any]:
    """(raised, the value or the exception) as CPython gives it, without the oracle's -0.0 rewrite."""
    try:
        return False, eval(expr, {"json": json}, dict(names))
    except RAISES as exc:
        return True, exc


def check(expr: str, names: dict[str, Any], got: Outcome) -> None:
    raised, expected = cpython(expr, names)
    where = f"{expr} with {names}"
    assert got.refused is None, f"{where}: refused: {got.refused}"
    assert got.crash is None, f"{where}: JavaScript error: {got.crash}"
    if raised:
        assert got.error == (type(expected).__name__, str(expected)), f"{where}: Python raised {expected!r}"
        return
    assert got.error is None, f"{where}: raised {got.error}, Python gave {expected!r}"
    assert same(got.value, expected), f"{where}: Python {expected!r}, TypeScript {got.value!r}"


@pytest.fixture(scope="session")
def vector_outcomes() -> list[Outcome]:
    try:
        ensure_node_modules()
    except NodeUnavailable as exc:
        pytest.skip(str(exc))
    return evaluate([Case(v.expr, v.names, ANNOTATIONS) for v in VECTORS])


IDS = [f"{v.expr[:60]}|env{i % 5}" for i, v in enumerate(VECTORS)]


@pytest.mark.parametrize("i", range(len(VECTORS)), ids=IDS)
def test_vector(i: int, vector_outcomes: list[Outcome]) -> None:
    v = VECTORS[i]
    check(v.expr, v.names, vector_outcomes[i])
