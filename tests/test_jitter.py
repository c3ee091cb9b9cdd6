"""RetryPolicy(jitter=...): each retry delay has a random part derived from the step call's idempotency key
and the attempt (docs/semantics.md, "Retries"), so the local engine, a replay and every target wait the
same; the conformance scenarios s260/s261 compare the delays of every column."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import pytest

from portaflow import Context, RetryPolicy, step, workflow
from portaflow.compiler import compile_source
from portaflow.dsl.retry import jitter_unit, jittered
from portaflow.local_engine import Engine
from portaflow.local_engine.clock import VirtualClock

FAILS: dict[str, int] = {}


@step(retry=RetryPolicy(max_attempts=4, initial_interval="2s", backoff=3.0, jitter="full"))
def flaky(name: str, idempotency_key: str) -> str:
    FAILS[idempotency_key] = FAILS.get(idempotency_key, 0) + 1
    if FAILS[idempotency_key] <= 3:
        raise ConnectionError(f"{name} down")
    return name


@workflow
def fetch(ctx: Context, name: str) -> str:
    return flaky(name)


def test_the_random_factor_is_the_first_52_bits_of_the_sha256_of_key_and_attempt() -> None:
    digest = hashlib.sha256(b"run-1:0:2").hexdigest()
    assert jitter_unit("run-1:0", 2) == int(digest[:13], 16) / 2**52
    assert jitter_unit("run-1:0", 2) == jitter_unit("run-1:0", 2)
    assert jitter_unit("run-1:0", 2) != jitter_unit("run-1:0", 3) != jitter_unit("run-1:1", 2)


@pytest.mark.parametrize("fraction", [1.0, 0.5, 0.1])
def test_a_jittered_delay_lies_in_its_range_in_whole_milliseconds(fraction: float) -> None:
    delays = [jittered(10.0, fraction, f"r:{i}", 1) for i in range(200)]
    assert all(10.0 * (1 - fraction) - 0.001 < d < 10.0 for d in delays)
    assert all(math.isclose(d * 1000, round(d * 1000)) for d in delays)
    assert len(set(delays)) > 150  # spread, not one value
    assert jittered(10.0, None, "r:0", 1) == 10.0


def test_full_jitter_is_the_delay_times_the_factor() -> None:
    assert jittered(6.0, 1.0, "k", 2) == math.floor(6.0 * jitter_unit("k", 2) * 1000) / 1000


@pytest.mark.parametrize("jitter", ["half", 0, 1.5, -0.2, True, [0.5]])
def test_an_invalid_jitter_is_one_clear_error(jitter: object) -> None:
    with pytest.raises(ValueError, match=r'must be None, "full" or a fraction of the delay in \(0, 1\]'):
        RetryPolicy(jitter=jitter)  # type: ignore[arg-type]


def test_the_local_engine_records_the_jittered_delays_and_waits_them(tmp_path: Path) -> None:
    FAILS.clear()
    engine = Engine(tmp_path / "runs.db", clock=VirtualClock(), durable=False)
    handle = engine.start(fetch, {"name": "a"}, run_id="r-9")
    for _ in range(3):
        engine.advance("10s")
    assert handle.status().status == "completed"
    failed = [e.data for e in handle.history() if e.kind == "step_attempt_failed"]
    plain = [2.0, 6.0, 18.0]
    assert [d["delay"] for d in failed] == [jittered(p, 1.0, "r-9:0", n + 1) for n, p in enumerate(plain)]
    assert all(d["delay"] < p for d, p in zip(failed, plain, strict=True))


def test_the_compiler_reads_jitter_into_the_ir_and_every_target_compiles_it() -> None:
    from portaflow.backends import get
    from portaflow.compiler.pipeline import target_diagnostics

    src = (
        "from portaflow import Context, RetryPolicy, step, workflow\n\n"
        "@step(retry=RetryPolicy(max_attempts=3, jitter=0.5))\n"
        "def s(x: int) -> int:\n    return x\n\n"
        "@workflow\ndef w(ctx: Context, x: int) -> int:\n    a = s(x)\n    b = s(a)\n    return b\n"
    )
    res = compile_source(src, "wf.py", None)
    assert res.program is not None and not res.errors
    assert res.program.steps["s"].retry.jitter == 0.5
    assert not target_diagnostics(get("aws"), res.program)  # an explicit retry loop (docs/ir.md)
    assert not target_diagnostics(get("azure"), res.program)
    assert not target_diagnostics(get("cloudflare"), res.program)


def test_an_invalid_jitter_literal_is_pfc011() -> None:
    src = (
        "from portaflow import Context, RetryPolicy, step, workflow\n\n"
        "@step(retry=RetryPolicy(jitter='some'))\n"
        "def s(x: int) -> int:\n    return x\n\n"
        "@workflow\ndef w(ctx: Context, x: int) -> int:\n    a = s(x)\n    return a\n"
    )
    assert [d.code for d in compile_source(src, "wf.py", None).errors] == ["PFC011"]
