"""Replay: replay-safe APIs stay stable; an orchestrator that changes its actions between replays."""

from datetime import timedelta

import azure.durable_functions as df
import helpers

app = df.DFApp()

REPLAYS = {"count": 0}


@app.function_name(name="drifting")
@app.orchestration_trigger(context_name="context")
def drifting(context: df.DurableOrchestrationContext):
    REPLAYS["count"] += 1  # module state: different on every replay
    name = "charge" if REPLAYS["count"] == 1 else "refund"
    yield context.call_activity(name, 1)
    yield context.call_activity("charge", 2)
    return "done"


@app.function_name(name="stable")
@app.orchestration_trigger(context_name="context")
def stable(context: df.DurableOrchestrationContext):
    ids = [context.new_uuid(), context.new_uuid()]
    started = context.current_utc_datetime.isoformat()
    context.set_custom_status({"phase": "charging", "ids": ids})
    payload = {"ids": ids, "started": started, "instance": context.instance_id}
    seen = yield context.call_activity("echo", payload)
    context.set_custom_status({"phase": "done"})
    again = yield context.call_activity("echo", {"ids": ids, "started": started})
    return {"first": seen, "second": again}


@app.function_name(name="charge")
@app.activity_trigger(input_name="payload")
def charge(payload: int) -> int:
    return helpers.bump()


@app.function_name(name="refund")
@app.activity_trigger(input_name="payload")
def refund(payload: int) -> int:
    return -payload


@app.function_name(name="echo")
@app.activity_trigger(input_name="payload")
def echo(payload: dict) -> dict:
    return payload


@app.function_name(name="parent")
@app.orchestration_trigger(context_name="context")
def parent(context: df.DurableOrchestrationContext):
    child = yield context.call_sub_orchestrator("stable", None, "child-1")
    return {"child": child}


@app.function_name(name="waiting_child")
@app.orchestration_trigger(context_name="context")
def waiting_child(context: df.DurableOrchestrationContext):
    answer = yield context.wait_for_external_event("answer")
    return answer


@app.function_name(name="parent_with_deadline")
@app.orchestration_trigger(context_name="context")
def parent_with_deadline(context: df.DurableOrchestrationContext):
    child = context.call_sub_orchestrator("waiting_child", None, "asked")
    deadline = context.create_timer(context.current_utc_datetime + timedelta(hours=1))
    winner = yield context.task_any([child, deadline])
    if winner == child:
        deadline.cancel()
        return {"answer": child.result}
    return {"answer": None}


@app.function_name(name="wall_clock_timer")
@app.orchestration_trigger(context_name="context")
def wall_clock_timer(context: df.DurableOrchestrationContext):
    from datetime import UTC, datetime

    yield context.create_timer(datetime.now(UTC) + timedelta(seconds=1))  # not replay-safe
    return "done"


@app.function_name(name="failing_child")
@app.orchestration_trigger(context_name="context")
def failing_child(context: df.DurableOrchestrationContext):
    yield context.call_activity("echo", {"shape": (1, 2)})  # a tuple: JSON makes it a list
    raise ValueError("child gave up")


@app.function_name(name="parent_of_failing")
@app.orchestration_trigger(context_name="context")
def parent_of_failing(context: df.DurableOrchestrationContext):
    try:
        yield context.call_sub_orchestrator("failing_child", None)
    except Exception as exc:
        return {"caught": str(exc).split(" \n ")[0]}
    return "not reached"
