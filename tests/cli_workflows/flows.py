"""Workflows the CLI tests drive through real `portaflow` processes."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from portaflow import Context, RetryPolicy, step, workflow

EFFECTS = Path(os.environ.get("PORTAFLOW_TEST_EFFECTS", "/tmp/portaflow-effects"))


@step
def record(label: str, idempotency_key: str) -> str:
    with (EFFECTS / "effects.log").open("a") as fh:
        fh.write(f"{label} {idempotency_key}\n")
    return label


@step(retry=RetryPolicy(max_attempts=3, initial_interval="10ms"))
def die_once(idempotency_key: str) -> str:
    """Kills its own process on the first attempt ever made with this key: a crash mid-step."""
    marker = EFFECTS / f"died-{idempotency_key.replace(':', '_')}"
    with (EFFECTS / "effects.log").open("a") as fh:
        fh.write(f"die_once {idempotency_key}\n")
    if not marker.exists():
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return "survived"


@step(retry=RetryPolicy(max_attempts=2, initial_interval="10ms"))
def explode(message: str) -> None:
    raise RuntimeError(message)


@workflow
def greet(ctx: Context, name: str, excited: bool = False) -> dict[str, Any]:
    text = record(f"hello-{name}")
    return {"greeting": text + ("!" if excited else ""), "key": ctx.idempotency_key()}


@workflow
def approve(ctx: Context, amount: float) -> dict[str, Any]:
    record("asked")
    decision = ctx.wait_for_event("approval", timeout="1h")
    return {"amount": amount, "decision": decision}


@workflow
def crashy(ctx: Context) -> list[str]:
    return [record("before"), die_once(), record("after")]


@workflow
def failing(ctx: Context) -> None:
    explode("it broke")


@workflow
def napper(ctx: Context) -> str:
    ctx.sleep("2h")
    return "rested"
