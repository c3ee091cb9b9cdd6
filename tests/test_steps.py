"""Steps: recorded once, JSON in and out, idempotency keys, retries, timeouts, failures."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from portaflow import Context, RetryPolicy, StepFailed, WorkflowError, WorkflowFailed, step, workflow
from portaflow.local_engine import Engine

CALLS: list[tuple[str, Any]] = []


@pytest.fixture(autouse=True)
def _reset() -> None:
    CALLS.clear()
    FLAKY.clear()


@step
def double(x: int) -> int:
    CALLS.append(("double", x))
    return x * 2


@step
def pair(a: int, b: int) -> tuple[int, int]:
    return (a, b)


@step
def keyed(label: str, idempotency_key: str) -> str:
    CALLS.append(("keyed", idempotency_key))
    return idempotency_key


@workflow
def sequence(ctx: Context, n: int = 3) -> dict[str, Any]:
    values = [double(i) for i in range(n)]
    p = pair(1, 2)
    upcoming = ctx.idempotency_key()
    k = keyed("x")
    return {"values": values, "pair": p, "is_list": isinstance(p, list), "upcoming": upcoming, "key": k}


def test_a_step_outside_a_workflow_is_a_plain_call() -> None:
    assert double(4) == 8
    assert pair(1, 2) == (1, 2)
    assert keyed("x", idempotency_key="mine") == "mine"


def test_step_results_are_recorded_and_returned_as_json(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(sequence, {"n": 3}, run_id="r1")
    out = run.result()
    assert out["values"] == [0, 2, 4]
    assert out["pair"] == [1, 2] and out["is_list"] is True  # a tuple comes back as a list on the first run
    completed = [e for e in run.history() if e.kind == "step_completed"]
    assert [(e.name, e.key) for e in completed] == [
        ("double", "0"),
        ("double", "1"),
        ("double", "2"),
        ("pair", "3"),
        ("keyed", "4"),
    ]
    assert completed[0].data["args"] == [[0], {}] and completed[0].data["result"] == 0


def test_idempotency_key_is_run_id_and_step_position(portaflow_engine: Engine) -> None:
    out = portaflow_engine.start(sequence, {"n": 2}, run_id="order-7").result()
    assert out["key"] == "order-7:3"
    assert out["upcoming"] == out["key"]  # ctx.idempotency_key() names the next step call's key
    event = next(e for e in portaflow_engine.history("order-7") if e.name == "keyed")
    assert event.data["idempotency_key"] == "order-7:3"


def test_an_explicit_idempotency_key_is_not_overridden(portaflow_engine: Engine) -> None:
    @workflow
    def explicit(ctx: Context) -> list[str]:
        return [keyed("a", idempotency_key="given"), keyed("b", "positional")]

    assert portaflow_engine.start(explicit, run_id="e").result() == ["given", "positional"]


def test_a_recorded_step_is_never_executed_again_on_replay(db_path: Any) -> None:
    @workflow
    def wait_between(ctx: Context) -> list[int]:
        first = double(1)
        ctx.wait_for_event("go")
        return [first, double(2)]

    with Engine(db_path) as e1:
        e1.start(wait_between, run_id="w")
    assert CALLS == [("double", 1)]
    with Engine(db_path, workflows=[wait_between]) as e2:  # a fresh process: replays the log once
        e2.signal("w", "go")
        assert e2.status("w").output == [2, 4]
    assert CALLS == [("double", 1), ("double", 2)]


@step
def returns_set() -> Any:
    return {1, 2}


@workflow
def bad_result(ctx: Context) -> Any:
    return returns_set()


def test_a_non_json_step_result_fails_without_retries_naming_the_step(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(bad_result)
    st = run.status()
    assert st.status == "failed"
    assert st.error is not None and st.error["type"] == "TypeError"
    assert "step 'returns_set'" in st.error["message"] and "JSON" in st.error["message"]
    assert [e.kind for e in run.history()].count("step_failed") == 1


@workflow
def bad_args(ctx: Context) -> Any:
    return double(object())  # type: ignore[arg-type]


def test_non_json_step_arguments_fail_the_run_naming_the_step(portaflow_engine: Engine) -> None:
    st = portaflow_engine.start(bad_args).status()
    assert st.status == "failed"
    assert st.error is not None and st.error["type"] == "WorkflowError"
    assert "arguments of step 'double'" in st.error["message"]
    assert CALLS == []


FLAKY: dict[str, int] = {}


@step(retry=RetryPolicy(max_attempts=4, initial_interval="2s", backoff=3.0, max_interval="10s"))
def flaky(fail_times: int, idempotency_key: str) -> str:
    FLAKY[idempotency_key] = FLAKY.get(idempotency_key, 0) + 1
    if FLAKY[idempotency_key] <= fail_times:
        raise ConnectionError(f"attempt {FLAKY[idempotency_key]} failed")
    return f"ok after {FLAKY[idempotency_key]}"


@workflow
def retrying(ctx: Context, fail_times: int) -> str:
    return flaky(fail_times)


def test_retries_follow_the_policy_with_the_same_key_and_recorded_delays(portaflow_engine: Engine) -> None:
    start = portaflow_engine.clock.now()
    run = portaflow_engine.start(retrying, {"fail_times": 3}, run_id="rt")
    assert run.result() == "ok after 4"
    failed = [e for e in run.history() if e.kind == "step_attempt_failed"]
    assert [e.data["attempt"] for e in failed] == [1, 2, 3]
    assert [e.data["delay"] for e in failed] == [2.0, 6.0, 10.0]  # min(2 * 3**(n-1), 10)
    assert {e.data["idempotency_key"] for e in failed} == {"rt:0"}
    assert failed[0].data["error"]["type"] == "ConnectionError"
    assert portaflow_engine.clock.now() - start == pytest.approx(18.0, abs=0.01)  # virtual time skipped


def test_exhausted_retries_fail_the_run_with_the_error_type_and_message(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(retrying, {"fail_times": 10})
    with pytest.raises(WorkflowFailed) as info:
        run.result()
    assert (info.value.type, info.value.message) == ("ConnectionError", "attempt 4 failed")
    last = run.history()[-2]
    assert last.kind == "step_failed" and last.data["reason"] == "attempts exhausted"


class Declined(Exception):
    pass


@step(retry=RetryPolicy(max_attempts=5, non_retryable=[Declined]))
def charge(amount: float) -> str:
    CALLS.append(("charge", amount))
    raise Declined(f"card declined for {amount}")


@workflow
def catching(ctx: Context) -> dict[str, Any]:
    caught = {}
    try:
        charge(10.0)
    except Declined as err:  # matched by the original class...
        caught["by_class"] = [type(err).__name__, str(err), err.type, err.step, err.attempts]
    try:
        charge(20.0)
    except StepFailed as err:  # ...and by StepFailed
        caught["by_step_failed"] = [err.type, err.message]
    try:
        flaky(99)
    except ConnectionError as err:
        caught["builtin"] = [isinstance(err, StepFailed), err.attempts]
    return caught


def test_failed_steps_are_caught_by_original_class_and_by_step_failed(portaflow_engine: Engine) -> None:
    out = portaflow_engine.start(catching).result()
    assert out["by_class"] == ["Declined", "card declined for 10.0", "Declined", "charge", 1]
    assert out["by_step_failed"] == ["Declined", "card declined for 20.0"]
    assert out["builtin"] == [True, 4]
    assert CALLS == [("charge", 10.0), ("charge", 20.0)]  # non-retryable: one attempt each


def test_failures_are_caught_the_same_way_on_replay(db_path: Any) -> None:
    @workflow
    def catch_then_wait(ctx: Context) -> str:
        try:
            charge(1.0)
        except Declined as err:
            ctx.wait_for_event("go")
            return f"caught {err.type}"
        return "not caught"

    with Engine(db_path) as e1:
        e1.start(catch_then_wait, run_id="c")
    with Engine(db_path, workflows=[catch_then_wait]) as e2:
        assert e2.signal("c", "go").output == "caught Declined"
    assert CALLS == [("charge", 1.0)]


release = threading.Event()


@step(timeout="200ms", retry=RetryPolicy(max_attempts=2, initial_interval="10ms"))
def slow() -> str:
    release.wait(5)
    return "late"


@workflow
def timing_out(ctx: Context) -> str:
    try:
        return slow()
    except TimeoutError as err:
        return f"{err.type}: {err.message} after {err.attempts}"


def test_a_timed_out_attempt_counts_as_a_failed_attempt(real_engine: Engine) -> None:
    release.clear()
    began = time.monotonic()
    out = real_engine.start(timing_out).result()
    release.set()
    assert out == "TimeoutError: step 'slow' timed out after 200ms after 2"
    assert time.monotonic() - began < 4


def test_step_options_are_validated_at_definition() -> None:
    with pytest.raises(ValueError, match="timeout of step 'f': 'soon' is not a duration"):
        step(timeout="soon", name="f")(lambda: None)
    with pytest.raises(TypeError, match="RetryPolicy"):
        step(retry={"max_attempts": 3})(lambda: None)  # type: ignore[arg-type]


def test_a_parallel_branch_may_sleep(portaflow_engine: Engine) -> None:
    @workflow
    def naps(ctx: Context) -> Any:
        return ctx.parallel(lambda: ctx.sleep("1s"), lambda: 2)

    st = portaflow_engine.start(naps).status()
    assert st.status == "completed" and st.output == [None, 2]


def test_workflow_error_is_a_portaflow_error() -> None:
    assert issubclass(WorkflowError, Exception)


def test_a_workflow_whose_first_parameter_is_annotated_as_data_is_refused() -> None:
    def forgot_ctx(amount: int) -> int:
        return amount

    with pytest.raises(TypeError, match=r"parameter 'amount' is the run's Context, but it is annotated int"):
        workflow(forgot_ctx)

    def fine(ctx: Context, amount: int) -> int:
        return amount

    assert workflow(fine).name == "fine"
