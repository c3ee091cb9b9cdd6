"""The workflows the dashboard's tests run for real: an approval, a slow run to watch, retries, recorded
values and timers, a result holding markup, and a failure."""

from __future__ import annotations

import os
import time
from pathlib import Path

from portaflow import Context, RetryPolicy, step, workflow

GATE = Path(os.environ.get("PORTAFLOW_UI_TEST_GATE", "/nonexistent"))  # `slow` waits for this file


@step
def propose(order_id: str) -> dict:
    return {"order_id": order_id, "amount": 480.0}


@step
def issue(order_id: str, approved: bool) -> dict:
    return {"order_id": order_id, "issued": approved}


@workflow
def refund(ctx: Context, order_id: str) -> dict:
    """Waits for a person: approved, it issues the refund; rejected, it declines."""
    proposal = propose(order_id)
    decision = ctx.wait_for_event("approval", timeout="1h")
    if not decision or not decision.get("approved"):
        return {"outcome": "declined", "decision": decision}
    receipt = issue(proposal["order_id"], True)
    return {"outcome": "refunded", "receipt": receipt}


@step
def gate(name: str) -> str:
    """Holds its run until the test creates the gate file: the run is watched while it is running."""
    deadline = time.monotonic() + 60
    while not GATE.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return name


@workflow
def slow(ctx: Context) -> dict:
    first = gate("first")
    second = gate("second")
    return {"steps": [first, second]}


_FAILURES: dict[str, int] = {}


@step(retry=RetryPolicy(max_attempts=3, initial_interval="100ms"))
def flaky(key: str) -> str:
    """Fails its first attempt for each key, then succeeds (the key is a run's recorded uuid4: each run
    sees one failure, whatever ran before it in this process)."""
    _FAILURES[key] = _FAILURES.get(key, 0) + 1
    if _FAILURES[key] < 2:
        raise ConnectionError("the service did not answer")
    return "ok"


@step
def echo(text: str) -> dict:
    return {"text": text}


@workflow
def assorted(ctx: Context, text: str) -> dict:
    """Retries, recorded values, a timer, and a result that holds whatever text it is given."""
    ident = str(ctx.uuid4())
    flaky(ident)
    stamp = ctx.now().isoformat()
    luck = ctx.random()
    ctx.sleep("200ms")
    # a step called on one path of an expression: the compiler refuses it (the run page says so)
    return {"echo": echo(text) if text else None, "stamp": stamp, "id": ident, "luck": luck}


@step(retry=RetryPolicy(max_attempts=2, initial_interval="50ms"))
def broken() -> None:
    raise ValueError("the ledger is closed")


@workflow
def doomed(ctx: Context) -> None:
    broken()


@step(retry=RetryPolicy(max_attempts=3, initial_interval="1h"))
def unreachable() -> None:
    raise TimeoutError("the bank did not answer")


@workflow
def patient(ctx: Context) -> None:
    """Its step fails and waits an hour before trying again: a run in backoff."""
    unreachable()


@workflow
def refund_via_child(ctx: Context, order_id: str) -> dict:
    """The refund run as a child run of its own: the person answers the child, not this run."""
    return ctx.start_workflow(refund, order_id).result()
