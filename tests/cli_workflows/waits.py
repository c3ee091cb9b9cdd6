"""Workflows that sleep, wait and take their time: `run`/`signal` hand-over and stopping a worker."""

from __future__ import annotations

import os
import time
from pathlib import Path

from portaflow import Context, step, workflow

EFFECTS = Path(os.environ.get("PORTAFLOW_TEST_EFFECTS", "/tmp/portaflow-effects"))


def _log(line: str) -> None:
    with (EFFECTS / "effects.log").open("a") as fh:
        fh.write(line + "\n")


@step
def record(label: str) -> str:
    _log(label)
    return label


@step
def slow(label: str, seconds: float, idempotency_key: str) -> str:
    """Logs its start, takes ``seconds`` on the first attempt made with this key only, logs its end."""
    marker = EFFECTS / f"slow-{idempotency_key.replace(':', '_')}"
    first = not marker.exists()
    marker.touch()
    _log(f"start {label}")
    if first:
        time.sleep(seconds)
    _log(f"end {label}")
    return label


@workflow
def sleeper(ctx: Context) -> str:
    record("before")
    ctx.sleep("1d")
    return "next day"


@workflow
def short_nap(ctx: Context) -> str:
    ctx.sleep("1s")
    return "rested"


@workflow
def approve_then_follow_up(ctx: Context) -> str:
    decision = ctx.wait_for_event("approval")
    record("approved")
    ctx.sleep("1d")
    return f"followed up on {decision}"


@workflow
def slow_steps(ctx: Context, seconds: float) -> list[str]:
    return [slow("one", seconds), record("two"), record("three")]
