"""The Cloudflare expression lowering against CPython on the shared vectors of portaflow.backends.pysem:
every form (and ARITHMETIC) over every environment, lowered to TypeScript over the shipped py runtime,
bundled and run once (one Node.js process for all of them); each vector is one test, reading that run.

No mismatch is allowed: the same value (by the oracle's JSON comparison), or the same exception (type and
message). Python's result is taken as CPython gives it (``-0.0`` stays ``-0.0``: TypeScript has it).
"""

from __future__ import annotations

import pytest

from portaflow.backends.cloudflare.offline.exprcheck import Case, Outcome, difference, evaluate
from portaflow.backends.cloudflare.offline.node import NodeUnavailable, ensure_node_modules
from portaflow.backends.pysem.forms import ANNOTATIONS, FORMS, SIGNIFICANT_FORMS
from portaflow.backends.pysem.vectors import ARITHMETIC, vectors

VECTORS = vectors([*ARITHMETIC, *FORMS, *SIGNIFICANT_FORMS])  # a float's significant digits are exact here


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
    problem = difference(v.expr, v.names, vector_outcomes[i])
    assert problem is None, problem
