"""Context primitives: recorded values, durable timers, events, map, parallel, child workflows."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from portaflow import Context, RetryPolicy, StepFailed, WorkflowError, step, workflow
from portaflow.local_engine import Engine, VirtualClock


@step
def echo(x: Any) -> Any:
    return x


@workflow
def values_then_wait(ctx: Context) -> dict[str, Any]:
    now, uid, rnd = ctx.now(), str(ctx.uuid4()), ctx.random()
    ctx.wait_for_event("go")
    return {
        "now": now.isoformat(),
        "aware": now.tzinfo is UTC,
        "uuid": uid,
        "random": rnd,
        "again": [ctx.now().isoformat(), ctx.uuid4().hex, ctx.random()],
    }


def test_now_uuid4_random_are_recorded_and_replayed(db_path: Any) -> None:
    clock = VirtualClock(datetime(2026, 1, 1, tzinfo=UTC))
    with Engine(db_path, clock=clock) as e1:
        e1.start(values_then_wait, run_id="v")
        recorded = [e.data["value"] for e in e1.history("v") if e.kind == "value_recorded"]
    clock.advance("1h")
    with Engine(db_path, clock=clock, workflows=[values_then_wait]) as e2:  # replays in a new engine
        out = e2.signal("v", "go").output
    assert out["now"] == "2026-01-01T00:00:00+00:00" and out["aware"] is True
    assert [datetime.fromisoformat(out["now"]).timestamp(), out["uuid"], out["random"]] == recorded
    assert out["again"][0] == "2026-01-01T01:00:00+00:00"
    assert 0 <= out["random"] < 1 and len(out["uuid"]) == 36


@workflow
def long_sleeper(ctx: Context, days: int) -> str:
    before = ctx.now()
    ctx.sleep(f"{days}d")
    return str(ctx.now() - before)


def test_a_thirty_day_sleep_completes_at_once_on_virtual_time(portaflow_engine: Engine) -> None:
    assert portaflow_engine.start(long_sleeper, {"days": 30}).result() == "30 days, 0:00:00"


def test_a_durable_timer_survives_a_restart_and_fires_once(db_path: Any) -> None:
    clock = VirtualClock()
    with Engine(db_path, clock=clock) as e1:
        e1.submit(long_sleeper, {"days": 2}, run_id="s")
        assert e1.execute("s", max_wait="1h").status == "waiting"  # the timer is left to a worker
        assert e1.status("s").wake_at == pytest.approx(clock.now() + 2 * 86400)
    with Engine(db_path, clock=clock, workflows=[long_sleeper]) as e2:
        assert e2.work(drain=True) == 0  # not due yet
        clock.advance("2d")
        e2.work(drain=True)
        assert e2.status("s").output == "2 days, 0:00:00"
        kinds = [e.kind for e in e2.history("s")]
    assert kinds.count("timer_started") == 1 and kinds.count("timer_fired") == 1


@workflow
def approval(ctx: Context, timeout: str | None = "3d") -> Any:
    return ctx.wait_for_event("approval", timeout=timeout)


def test_wait_for_event_returns_the_payload(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(approval, run_id="a")
    st = run.status()
    assert (st.status, st.waiting_for) == ("waiting", "approval")
    assert run.signal("approval", {"approved": True}).output == {"approved": True}


def test_wait_for_event_returns_none_when_the_timeout_passes(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(approval)
    portaflow_engine.advance("2d")
    assert run.status().status == "waiting"
    portaflow_engine.advance("1d")
    assert run.status().status == "completed" and run.status().output is None


def test_an_event_after_the_timeout_is_not_delivered_to_that_wait(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(approval)
    portaflow_engine.advance("3d")
    with pytest.raises(Exception, match="completed"):
        run.signal("approval", {"late": True})


@workflow
def three_events(ctx: Context) -> list[Any]:
    first = echo("before")
    return [first] + [ctx.wait_for_event("item") for _ in range(3)]


def test_events_sent_before_the_wait_are_buffered_in_order_and_delivered_once(db_path: Any) -> None:
    with Engine(db_path, clock=VirtualClock()) as engine:
        run = engine.submit(three_events, run_id="b")
        for i in range(4):
            engine.store.add_signal("b", "item", str(i), engine.clock.now())  # buffered before it runs
        engine.store.add_signal("b", "other", "99", engine.clock.now())
        engine.execute("b")
        assert run.status().output == ["before", 0, 1, 2]
        assert engine.pending_events("b") == [("item", 3), ("other", 99)]  # not consumed, not lost
        received = [e.data["signal"] for e in run.history() if e.kind == "event_received"]
        assert received == sorted(set(received))


def test_signal_to_an_unknown_run_is_a_clear_error(portaflow_engine: Engine) -> None:
    with pytest.raises(Exception, match="no run 'nope'"):
        portaflow_engine.signal("nope", "go")


def test_result_of_a_run_waiting_without_timeout_says_what_to_do(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(approval, {"timeout": None})
    with pytest.raises(WorkflowError, match="waits for event 'approval' with no timeout"):
        run.result()


LOCK = threading.Lock()
ACTIVE = {"now": 0, "max": 0}
GATE = threading.Event()


@step(retry=RetryPolicy(max_attempts=2, initial_interval="1s"))
def fetch(item: int) -> int:
    with LOCK:
        ACTIVE["now"] += 1
        ACTIVE["max"] = max(ACTIVE["max"], ACTIVE["now"])
    GATE.wait(0.05)
    with LOCK:
        ACTIVE["now"] -= 1
    if item < 0:
        raise ValueError(f"bad item {item}")
    return item * 10


@workflow
def fan_out(ctx: Context, items: list[int], limit: int | None = None) -> Any:
    try:
        return ctx.map(fetch, items, max_concurrency=limit)
    except ValueError as err:
        return {"error": err.message, "key_of_next": ctx.idempotency_key()}


def test_map_returns_results_in_item_order_with_keys_per_item(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(fan_out, {"items": [5, 1, 4, 2, 3]}, run_id="m")
    assert run.result() == [50, 10, 40, 20, 30]
    keys = sorted(e.data["idempotency_key"] for e in run.history() if e.kind == "step_completed")
    assert keys == ["m:0.0", "m:0.1", "m:0.2", "m:0.3", "m:0.4"]


def test_map_respects_max_concurrency(portaflow_engine: Engine) -> None:
    ACTIVE.update(now=0, max=0)
    portaflow_engine.start(fan_out, {"items": list(range(8)), "limit": 3}).result()
    assert 1 < ACTIVE["max"] <= 3


@workflow
def fan_out_branches(ctx: Context, limit: int | None = None) -> Any:
    return ctx.parallel(*[lambda i=i: fetch(i) for i in range(6)], max_concurrency=limit)


def test_parallel_respects_max_concurrency(portaflow_engine: Engine) -> None:
    ACTIVE.update(now=0, max=0)
    assert portaflow_engine.start(fan_out_branches, {"limit": 2}).result() == [0, 10, 20, 30, 40, 50]
    assert 1 <= ACTIVE["max"] <= 2
    ACTIVE.update(now=0, max=0)
    portaflow_engine.start(fan_out_branches, {"limit": 1}).result()
    assert ACTIVE["max"] == 1


def test_parallel_refuses_a_max_concurrency_that_is_not_a_positive_int(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(fan_out_branches, {"limit": 0})
    assert run.status().status == "failed"
    assert "ctx.parallel max_concurrency must be a positive integer, not 0" in run.status().error["message"]


def test_map_attempts_every_item_and_raises_the_lowest_index_failure(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(fan_out, {"items": [1, -2, 3, -4]}, run_id="mf")
    assert run.result() == {"error": "bad item -2", "key_of_next": "mf:1"}
    done = {e.key for e in run.history() if e.kind in ("step_completed", "step_failed")}
    assert done == {"0.0", "0.1", "0.2", "0.3"}


@step
def add(a: int, b: int) -> int:
    return a + b


@workflow
def branches(ctx: Context) -> list[Any]:
    def two_steps() -> int:
        return add(add(1, 2), 3)

    return ctx.parallel(lambda: add(10, 1), two_steps, lambda: {"k": ctx.idempotency_key()})


def test_parallel_runs_branches_and_keys_their_steps_by_branch(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(branches, run_id="p")
    assert run.result() == [11, 6, {"k": "p:0.2.0"}]
    keys = sorted(e.key for e in run.history() if e.kind == "step_completed")
    assert keys == ["0.0.0", "0.1.0", "0.1.1"]


@workflow
def child(ctx: Context, x: int) -> dict[str, Any]:
    ctx.sleep("1h")
    return {"doubled": add(x, x), "key": ctx.idempotency_key()}


@workflow
def parent(ctx: Context) -> list[Any]:
    first = add(1, 1)
    return [first, child(ctx, 5), add(2, 2)]


def test_a_workflow_called_from_a_workflow_runs_as_a_child_with_nested_keys(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(parent, run_id="pc")
    assert run.result() == [2, {"doubled": 10, "key": "pc:1.1"}, 4]
    assert [e.key for e in run.history() if e.kind == "step_completed"] == ["0", "1.0", "2"]


@workflow
def tag_all(ctx: Context, items: list[dict[str, Any]]) -> int:
    for item in items:
        item["tagged"] = True
    return len(items)


@workflow
def caller(ctx: Context) -> list[Any]:
    items = [{"id": 1}]
    n = tag_all(ctx, items)
    return [n, items]


def test_a_child_workflow_gets_a_copy_of_its_arguments(portaflow_engine: Engine) -> None:
    """As a step does, and as a sub-orchestration on every cloud target does."""
    assert portaflow_engine.start(caller).result() == [1, [{"id": 1}]]


@workflow
def passes_a_set(ctx: Context) -> int:
    return tag_all(ctx, {1, 2})  # type: ignore[arg-type]


def test_a_child_workflow_argument_that_is_not_json_fails_the_run(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(passes_a_set)
    assert run.status().status == "failed"
    assert "the arguments of child workflow 'tag_all' must be a JSON value" in str(run.status().error)


@step(retry=RetryPolicy(max_attempts=2, initial_interval="1s"))
def boom() -> None:
    raise RuntimeError("kaput")


@workflow
def parallel_failure(ctx: Context) -> Any:
    try:
        ctx.parallel(lambda: add(1, 1), boom)
    except StepFailed as err:
        return [err.type, err.message]
    return "no error"


def test_parallel_raises_the_failure_of_the_lowest_failing_branch(portaflow_engine: Engine) -> None:
    assert portaflow_engine.start(parallel_failure).result() == ["RuntimeError", "kaput"]


def test_a_run_can_be_cancelled_while_it_waits(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(approval)
    assert run.cancel().status == "cancelled"
    assert run.history()[-1].kind == "run_cancelled"
    with pytest.raises(Exception, match="cancelled"):
        run.signal("approval", {})


def test_workflow_input_is_checked_before_anything_is_recorded(portaflow_engine: Engine) -> None:
    with pytest.raises(Exception, match="missing 'items'"):
        portaflow_engine.start(fan_out, {})
    with pytest.raises(Exception, match="unknown key"):
        portaflow_engine.start(fan_out, {"items": [], "extra": 1})
    with pytest.raises(Exception, match="JSON object"):
        portaflow_engine.start(fan_out, [1, 2])
    assert portaflow_engine.list_runs() == []


def test_starting_an_existing_run_id_returns_that_run(portaflow_engine: Engine) -> None:
    first = portaflow_engine.start(fan_out, {"items": [1]}, run_id="same")
    again = portaflow_engine.start(fan_out, {"items": [2]}, run_id="same")
    assert again.result() == first.result() == [10]
    with pytest.raises(Exception, match="already used by a run of workflow 'fan_out'"):
        portaflow_engine.start(approval, run_id="same")


@workflow
def two_waits(ctx: Context) -> list[Any]:
    first = ctx.wait_for_event("approval", timeout="1h")
    return [first, ctx.wait_for_event("approval")]


def test_an_event_received_after_the_deadline_is_kept_for_the_next_wait(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(two_waits)
    portaflow_engine.clock.advance("2h")  # the deadline passed, but no worker has looked yet
    portaflow_engine.signal(run.run_id, "approval", "late")
    assert run.status().output == [None, "late"]


def test_an_event_received_before_the_deadline_wins_even_if_seen_after_it(db_path: Any) -> None:
    clock = VirtualClock()
    with Engine(db_path, clock=clock) as engine:
        run = engine.start(two_waits)
        engine.store.add_signal(run.run_id, "approval", '"on time"', clock.now() + 60)
        clock.advance("2h")
        engine.work(drain=True)
        assert run.status().status == "waiting"
        engine.signal(run.run_id, "approval", "second")
        assert run.status().output == ["on time", "second"]


def test_a_reporter_that_raises_does_not_stop_the_run(db_path: Any, caplog: pytest.LogCaptureFixture) -> None:
    """Engine.start used to hang forever: the reporter's exception killed the workflow's thread."""

    def broken(run_id: str, kind: str, fields: dict[str, Any]) -> None:
        raise RuntimeError("reporter is down")

    with Engine(db_path, reporter=broken) as engine:
        run = engine.start(fan_out, {"items": [1, 2]})
        assert run.status().status == "completed" and run.result() == [10, 20]
    assert "the engine's reporter raised" in caplog.text
