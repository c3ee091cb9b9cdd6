"""Replay is checked and done at most once per resume; dead owners are recovered; writes are fenced."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from portaflow import Context, NonDeterminismError, step, workflow
from portaflow.dsl.decorators import Workflow
from portaflow.local_engine import Engine, VirtualClock
from portaflow.local_engine.store import LeaseLost

BODY_STARTS: list[str] = []


@step
def echo(x: Any) -> Any:
    return x


@step
def other(x: Any) -> Any:
    return f"other {x}"


def _v1(ctx: Context) -> list[Any]:
    BODY_STARTS.append("v1")
    a = echo("a")
    ctx.wait_for_event("go")
    return [a, echo("b")]


def _v2(ctx: Context) -> list[Any]:  # the code was changed while a run was waiting
    BODY_STARTS.append("v2")
    a = other("a")
    ctx.wait_for_event("go")
    return [a, echo("b")]


_v2.__qualname__ = _v1.__qualname__
v1 = Workflow(_v1, name="versioned")
v2 = Workflow(_v2, name="versioned")


def test_a_replay_that_asks_for_another_step_stops_without_corrupting_the_run(db_path: Any) -> None:
    with Engine(db_path) as e1:
        e1.start(v1, run_id="nd")
    with Engine(db_path, workflows=[v2]) as e2:
        st = e2.signal("nd", "go")
        assert st.status == "running"  # not completed, not failed
        assert st.error is not None and st.error["type"] == "NonDeterminismError"
        message = st.error["message"]
        assert "test_replay_and_recovery.py:" in message  # file:line of the call in the new code
        assert "recorded step 'echo'" in message and "asks for step 'other'" in message
        before = [e.kind for e in e2.history("nd")]
        assert "run_completed" not in before and "event_received" not in before
    with Engine(db_path, workflows=[v1]) as e3:  # the code is fixed: the run resumes
        st = e3.execute("nd", force=True)
        assert (st.status, st.output, st.error) == ("completed", ["a", "b"], None)
        assert [e.kind for e in e3.history("nd")].count("event_received") == 1


def test_a_replay_that_skips_a_recorded_call_is_detected(db_path: Any) -> None:
    def _short(ctx: Context) -> list[Any]:
        ctx.wait_for_event("go")
        return ["x"]

    _short.__qualname__ = _v1.__qualname__
    with Engine(db_path) as e1:
        e1.start(v1, run_id="skip")
    with Engine(db_path, workflows=[Workflow(_short, name="versioned")]) as e2:
        st = e2.signal("skip", "go")
    assert st.status == "running" and st.error is not None
    assert "recorded step 'echo', the code now asks for nothing" in st.error["message"]
    assert "test_replay_and_recovery.py:" in st.error["message"]  # where the workflow is defined


def test_result_raises_nondeterminism_error_for_a_stalled_run(db_path: Any) -> None:
    with Engine(db_path, clock=VirtualClock()) as e1:
        e1.start(v1, run_id="r")
    with Engine(db_path, clock=VirtualClock(), workflows=[v2]) as e2:
        e2.signal("r", "go")
        with pytest.raises(NonDeterminismError, match="recorded step 'echo'"):
            e2.result("r")


N_STEPS = 200


@workflow
def long_with_waits(ctx: Context, waits: int) -> int:
    BODY_STARTS.append("long")
    total = 0
    for i in range(N_STEPS):
        total += echo(i)
        if waits and i % (N_STEPS // waits) == 0:
            ctx.wait_for_event("tick")
    return total


def test_a_run_that_never_suspends_executes_its_body_once(portaflow_engine: Engine) -> None:
    BODY_STARTS.clear()
    assert portaflow_engine.start(long_with_waits, {"waits": 0}).result() == sum(range(N_STEPS))
    assert BODY_STARTS == ["long"]


def test_resuming_in_the_same_engine_replays_nothing(portaflow_engine: Engine) -> None:
    BODY_STARTS.clear()
    run = portaflow_engine.start(long_with_waits, {"waits": 10})
    for _ in range(10):
        run.signal("tick")
    assert run.result() == sum(range(N_STEPS))
    assert BODY_STARTS == ["long"]  # the parked workflow thread continued, like a sticky cache


def test_resuming_in_a_new_engine_replays_the_history_once_per_resume(db_path: Any) -> None:
    BODY_STARTS.clear()
    with Engine(db_path) as e:
        e.start(long_with_waits, {"waits": 4}, run_id="lw")
    for _ in range(4):
        with Engine(db_path, workflows=[long_with_waits]) as e:
            e.signal("lw", "tick")
    with Engine(db_path) as e:
        assert e.status("lw").output == sum(range(N_STEPS))
    assert BODY_STARTS == ["long"] * 5


def test_a_run_whose_owner_died_is_recovered_at_once(db_path: Any) -> None:
    crashed = Engine(db_path)
    crashed.submit(v1, run_id="dead")
    assert crashed._claim("dead", False) is not None  # it took the lease...
    crashed.owner.retire()  # ...and then its process "died" without giving the lease back
    with Engine(db_path, workflows=[v1]) as rescuer:
        assert rescuer.work(drain=True) == 1
        events = rescuer.history("dead")
        assert events[1].kind == "run_recovered" and "is gone" in events[1].data["reason"]
        assert rescuer.status("dead").status == "waiting"


def test_an_owner_on_another_host_keeps_the_run_until_its_lease_expires(db_path: Any) -> None:
    with Engine(db_path) as engine:
        engine.submit(v1, run_id="remote")
        conn = engine.store._conn
        conn.execute(
            "UPDATE runs SET owner='x', owner_host='elsewhere', owner_pid=1, lease_until=?, fence=1",
            (time.time() + 60,),
        )
        assert engine.work(drain=True) == 0
        conn.execute("UPDATE runs SET lease_until=?", (time.time() - 1,))
        assert engine.work(drain=True) == 1
        assert "lease" in engine.history("remote")[1].data["reason"]


def test_writes_with_a_stale_fence_are_refused(db_path: Any) -> None:
    with Engine(db_path) as engine:
        engine.submit(v1, run_id="f")
        fence, _ = engine.store.acquire("f", engine.owner, time.time() + 30, time.time(), time.time())
        with pytest.raises(LeaseLost):
            engine.store.append("f", engine.owner.id, fence - 1, 2, "step_completed", "0", "echo", "{}", 0.0)
        with pytest.raises(LeaseLost):
            engine.store.append("f", "someone-else", fence, 2, "step_completed", "0", "echo", "{}", 0.0)
        assert [e.kind for e in engine.history("f")] == ["run_started"]


def test_the_history_is_json_all_the_way_down(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(long_with_waits, {"waits": 0})
    for event in run.history():
        json.dumps(event.data)


CHILD_BODIES: list[str] = []


@workflow
def checkpointed_child(ctx: Context, x: int) -> dict[str, Any]:
    CHILD_BODIES.append("child")
    return {"x": echo(x), "at": ctx.now().isoformat()}


@workflow
def parent_of_checkpointed(ctx: Context) -> list[Any]:
    first = checkpointed_child(ctx, 1)
    ctx.wait_for_event("go")
    return [first, echo("after")]


def test_a_completed_child_workflow_is_not_run_again_on_replay(db_path: Any) -> None:
    """Its result is recorded when it returns (call_completed): a resume replays the parent and takes
    the child's result from the history, as Temporal and DBOS do for child workflows."""
    CHILD_BODIES.clear()
    with Engine(db_path) as e:
        e.start(parent_of_checkpointed, run_id="pc")
    with Engine(db_path, workflows=[parent_of_checkpointed]) as e:
        e.signal("pc", "go")
        out = e.status("pc").output
        kinds = [(ev.kind, ev.key) for ev in e.history("pc") if ev.kind in ("call_started", "call_completed")]
    assert CHILD_BODIES == ["child"]  # the replay in the second engine did not run it
    assert out[0]["x"] == 1 and out[1] == "after"
    assert kinds == [("call_started", "0"), ("call_completed", "0")]
