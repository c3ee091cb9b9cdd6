"""Events, races and timeouts, as the generated orchestrators use them."""

from datetime import timedelta

import azure.durable_functions as df

app = df.DFApp()


@app.function_name(name="approval")
@app.orchestration_trigger(context_name="context")
def approval(context: df.DurableOrchestrationContext):
    first = yield context.wait_for_external_event("decision")
    second = yield context.wait_for_external_event("decision")
    return [first, second]


@app.function_name(name="approval_with_timeout")
@app.orchestration_trigger(context_name="context")
def approval_with_timeout(context: df.DurableOrchestrationContext):
    hours = context.get_input()["hours"]
    event = context.wait_for_external_event("decision")
    timeout = context.create_timer(context.current_utc_datetime + timedelta(hours=hours))
    winner = yield context.task_any([event, timeout])
    if winner == event:
        timeout.cancel()
        return {"decision": event.result}
    return {"decision": None, "timed_out_at": context.current_utc_datetime.isoformat()}


@app.function_name(name="sleep_then_wait")
@app.orchestration_trigger(context_name="context")
def sleep_then_wait(context: df.DurableOrchestrationContext):
    yield context.create_timer(context.current_utc_datetime + timedelta(days=2))
    event = context.wait_for_external_event("go")
    timeout = context.create_timer(context.current_utc_datetime + timedelta(days=1))
    winner = yield context.task_any([event, timeout])
    return "go" if winner == event else "timeout"


@app.function_name(name="step_timeout")
@app.orchestration_trigger(context_name="context")
def step_timeout(context: df.DurableOrchestrationContext):
    limit = context.get_input()["limit"]
    step = context.call_activity("nap", context.get_input()["nap"])
    timer = context.create_timer(context.current_utc_datetime + timedelta(seconds=limit))
    winner = yield context.task_any([step, timer])
    if winner == step:
        timer.cancel()
        return {"result": step.result}
    return {"result": "timed out"}


@app.function_name(name="nap")
@app.activity_trigger(input_name="payload")
def nap(payload: float) -> str:
    import time

    time.sleep(payload)
    return f"napped {payload}"


@app.function_name(name="ordered")
@app.orchestration_trigger(context_name="context")
def ordered(context: df.DurableOrchestrationContext):
    a = yield context.wait_for_external_event("a")
    b1 = yield context.wait_for_external_event("b")
    b2 = yield context.wait_for_external_event("b")
    return [a, b1, b2]


@app.function_name(name="blocked_on_a_cancelled_timer")
@app.orchestration_trigger(context_name="context")
def blocked_on_a_cancelled_timer(context: df.DurableOrchestrationContext):
    timer = context.create_timer(context.current_utc_datetime + timedelta(minutes=5))
    timer.cancel()
    yield timer  # a cancelled timer never fires: nothing can move this orchestration on
    return "not reached"


@app.function_name(name="forever")
@app.orchestration_trigger(context_name="context")
def forever(context: df.DurableOrchestrationContext):
    while True:
        yield context.create_timer(context.current_utc_datetime + timedelta(seconds=1))


@app.function_name(name="restarts")
@app.orchestration_trigger(context_name="context")
def restarts(context: df.DurableOrchestrationContext):
    yield context.create_timer(context.current_utc_datetime + timedelta(seconds=1))
    context.continue_as_new(None)


@app.function_name(name="long_timeout_then_sleep")
@app.orchestration_trigger(context_name="context")
def long_timeout_then_sleep(context: df.DurableOrchestrationContext):
    event = context.wait_for_external_event("decision")
    timeout = context.create_timer(context.current_utc_datetime + timedelta(days=7))
    winner = yield context.task_any([event, timeout])
    if winner == event:
        timeout.cancel()  # 1.7.0: flags the long timer only, not the segment the SDK scheduled
    yield context.create_timer(context.current_utc_datetime + timedelta(days=5))
    done = yield context.call_activity("nap", 0)
    return {"done": done, "at": context.current_utc_datetime.isoformat()}


class FifoDeferred(dict):
    """What an app may do about the SDK's deferral: keep every early event of a name, in order, once each."""

    def __setitem__(self, key, action):
        self.setdefault(key, []).append(action)

    def __contains__(self, key):
        return bool(dict.get(self, key))

    def __getitem__(self, key):
        return dict.__getitem__(self, key).pop(0)


@app.function_name(name="ordered_fifo")
@app.orchestration_trigger(context_name="context")
def ordered_fifo(context: df.DurableOrchestrationContext):
    context.deferred_tasks = FifoDeferred()
    a = yield context.wait_for_external_event("a")
    b1 = yield context.wait_for_external_event("b")
    b2 = yield context.wait_for_external_event("b")
    b3 = yield context.wait_for_external_event("b")
    return [a, b1, b2, b3]
