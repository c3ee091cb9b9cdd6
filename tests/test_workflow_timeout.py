"""`@workflow(timeout="7d")`: a run that passes its execution timeout fails with WorkflowTimeout, at its
deadline, durably (the deadline is recorded at start), whatever it waits for, and its code cannot catch it."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from portaflow import Context, RetryPolicy, WorkflowFailed, WorkflowTimeout, step, workflow
from portaflow.local_engine import Engine, VirtualClock

DAY = 86400.0
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC).timestamp()
CALLS: list[str] = []


@pytest.fixture(autouse=True)
def _reset() -> None:
    CALLS.clear()


@step
def note(what: str) -> str:
    CALLS.append(what)
    return what


@step(retry=RetryPolicy(max_attempts=10, initial_interval="1d", backoff=1))
def flaky() -> str:
    CALLS.append("flaky")
    raise ConnectionError("down")


@workflow(timeout="7d")
def approval(ctx: Context) -> object:
    note("asked")
    decision = ctx.wait_for_event("approval")  # no timeout of its own: the workflow's bounds it
    note("decided")
    return decision


@workflow(timeout="7d")
def stubborn(ctx: Context) -> str:
    try:
        ctx.sleep("30d")
    except Exception:  # the timeout is not an exception the workflow sees
        return "caught"
    return "slept"


@workflow(timeout="3d")
def retries(ctx: Context) -> str:
    return flaky()


@workflow(timeout="1h")
def quick(ctx: Context) -> str:
    return note("done")


@workflow(timeout="300ms")
def short(ctx: Context) -> object:
    return ctx.wait_for_event("never")


def _engine(tmp_path: Path, now: float) -> Engine:
    return Engine(tmp_path / "runs.db", clock=VirtualClock(now))


def test_a_run_waiting_for_an_event_fails_at_its_deadline(tmp_path: Path) -> None:
    with _engine(tmp_path, T0) as engine:
        run = engine.start(approval, run_id="a1")
        st = run.status()
        assert (st.status, st.waiting_for, st.wake_at) == ("waiting", "approval", T0 + 7 * DAY)
        engine.advance("6d")
        assert run.status().status == "waiting"
        engine.advance("1d")
        st = run.status()
        assert st.status == "failed" and st.error is not None
        assert st.error["type"] == "WorkflowTimeout"
        assert st.error["message"] == (
            "workflow 'approval' passed its execution timeout of 7d (@workflow(timeout=...)): "
            "the run had until 2026-12-14 09:00:00 UTC"
        )
        with pytest.raises(WorkflowTimeout, match="execution timeout of 7d") as caught:
            run.result()
        assert isinstance(caught.value, WorkflowFailed) and caught.value.type == "WorkflowTimeout"
        assert engine.history("a1")[-1].at == T0 + 7 * DAY
        assert CALLS == ["asked"]


def test_the_deadline_is_recorded_at_start_and_holds_across_restarts(tmp_path: Path) -> None:
    with _engine(tmp_path, T0) as engine:
        engine.start(approval, run_id="a1")
        assert engine.history("a1")[0].data == {"input": {}, "deadline": T0 + 7 * DAY, "timeout": 7 * DAY}
    with _engine(tmp_path, T0 + 8 * DAY) as later:  # a worker started a day after the deadline
        later.work(drain=True)
        st = later.status("a1")
        assert st.status == "failed" and st.error is not None and st.error["type"] == "WorkflowTimeout"


def test_an_event_before_the_deadline_is_delivered(tmp_path: Path) -> None:
    with _engine(tmp_path, T0) as engine:
        run = engine.start(approval, run_id="a1")
        engine.advance("6d")
        assert engine.signal("a1", "approval", "yes").status == "completed"
        assert run.result() == "yes"


def test_the_workflow_cannot_catch_its_timeout_and_a_longer_sleep_ends_at_the_deadline(
    portaflow_engine: Engine,
) -> None:
    run = portaflow_engine.start(stubborn, run_id="s1")
    started = portaflow_engine.history("s1")[0].at
    with pytest.raises(WorkflowTimeout):
        run.result()
    assert portaflow_engine.history("s1")[-1].at == started + 7 * DAY


def test_no_step_attempt_starts_past_the_deadline(portaflow_engine: Engine) -> None:
    with pytest.raises(WorkflowTimeout):
        portaflow_engine.start(retries, run_id="r1").result()
    assert CALLS == ["flaky"] * 3  # attempts at 0, 1d, 2d; the one due at 3d is the deadline


def test_a_run_that_ends_in_time_completes(portaflow_engine: Engine) -> None:
    assert portaflow_engine.start(quick).result() == "done"


def test_a_resumed_run_gets_a_new_deadline(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(approval, run_id="a1")
    portaflow_engine.advance("7d")
    assert run.status().status == "failed"
    resumed = portaflow_engine.retry("a1")
    assert resumed.status().wake_at == portaflow_engine.clock.now() + 7 * DAY
    assert portaflow_engine.signal("a1", "approval", "late").status == "completed"


def test_on_the_real_clock_the_run_fails_at_its_deadline(real_engine: Engine) -> None:
    began = time.monotonic()
    run = real_engine.start(short)
    with pytest.raises(WorkflowTimeout, match="execution timeout of 300ms"):
        run.result(timeout="10s")
    assert 0.25 <= time.monotonic() - began < 5


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("soon", "timeout of workflow 'w': 'soon' is not a duration"),
        ("0s", "timeout of workflow 'w' must be longer than 0s"),
        (-1, "timeout of workflow 'w' must be a finite, non-negative duration"),
    ],
)
def test_a_bad_timeout_is_refused_when_the_workflow_is_defined(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):

        @workflow(timeout=value)  # type: ignore[arg-type]
        def w(ctx: Context) -> None: ...
