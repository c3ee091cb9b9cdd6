"""A hand-written app following the generated apps' contract: sequential steps, a failing step, timers."""

from datetime import timedelta

import azure.durable_functions as df
import azure.functions as func

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.function_name(name="sequence")
@app.orchestration_trigger(context_name="context")
def sequence(context: df.DurableOrchestrationContext):
    data = context.get_input()
    a = yield context.call_activity("double", data["x"])
    b = yield context.call_activity("double", a)
    c = yield context.call_activity("describe", {"a": a, "b": b})
    return c


@app.function_name(name="double")
@app.activity_trigger(input_name="payload")
def double(payload: int) -> int:
    return payload * 2


@app.function_name(name="describe")
@app.activity_trigger(input_name="payload")
def describe(payload: dict) -> str:
    return f"{payload['a']} then {payload['b']}"


@app.function_name(name="sleeper")
@app.orchestration_trigger(context_name="context")
def sleeper(context: df.DurableOrchestrationContext):
    seconds = context.get_input()["seconds"]
    before = context.current_utc_datetime
    yield context.create_timer(before + timedelta(seconds=seconds))
    after = context.current_utc_datetime
    return {"slept": (after - before).total_seconds()}


@app.function_name(name="catcher")
@app.orchestration_trigger(context_name="context")
def catcher(context: df.DurableOrchestrationContext):
    try:
        yield context.call_activity("explode", {"why": "card declined"})
    except Exception as exc:
        recovered = yield context.call_activity("double", 21)
        return {"caught": str(exc), "recovered": recovered}
    return "not reached"


@app.function_name(name="explode")
@app.activity_trigger(input_name="payload")
def explode(payload: dict) -> None:
    raise ValueError(payload["why"])


@app.function_name(name="unserializable")
@app.activity_trigger(input_name="payload")
def unserializable(payload: None) -> set[int]:
    return {1, 2}


@app.function_name(name="returns_a_set")
@app.orchestration_trigger(context_name="context")
def returns_a_set(context: df.DurableOrchestrationContext):
    try:
        yield context.call_activity("unserializable", None)
    except Exception as exc:
        return {"caught": str(exc).split(" \n ")[0]}
    return "not reached"


@app.function_name(name="crasher")
@app.orchestration_trigger(context_name="context")
def crasher(context: df.DurableOrchestrationContext):
    yield context.call_activity("double", 1)
    raise RuntimeError("the order is gone")


@app.function_name(name="fan_out")
@app.orchestration_trigger(context_name="context")
def fan_out(context: df.DurableOrchestrationContext):
    items = context.get_input()["items"]
    results = yield context.task_all([context.call_activity("slow_double", x) for x in items])
    total = yield context.call_activity("double", sum(results))
    return {"results": results, "total": total}


@app.function_name(name="slow_double")
@app.activity_trigger(input_name="payload")
def slow_double(payload: dict) -> int:
    import time

    time.sleep(payload["sleep"])
    return payload["x"] * 2


@app.function_name(name="fan_out_failing")
@app.orchestration_trigger(context_name="context")
def fan_out_failing(context: df.DurableOrchestrationContext):
    first = context.call_activity("explode", {"why": "one of three"})
    late = context.create_timer(context.current_utc_datetime + timedelta(hours=1))
    try:
        yield context.task_all([first, late])
    except Exception:
        after = yield context.call_activity("double", 5)
        return {"after": after}
    return "not reached"


ATTEMPTS: dict[str, int] = {}


@app.function_name(name="flaky")
@app.activity_trigger(input_name="payload")
def flaky(payload: dict) -> str:
    ATTEMPTS[payload["key"]] = ATTEMPTS.get(payload["key"], 0) + 1
    if ATTEMPTS[payload["key"]] < payload["succeed_on"]:
        raise ConnectionError(f"attempt {ATTEMPTS[payload['key']]} failed")
    return f"ok on attempt {ATTEMPTS[payload['key']]}"


@app.function_name(name="with_retry")
@app.orchestration_trigger(context_name="context")
def with_retry(context: df.DurableOrchestrationContext):
    options = df.RetryOptions(first_retry_interval_in_milliseconds=5000, max_number_of_attempts=3)
    try:
        result = yield context.call_activity_with_retry("flaky", options, context.get_input())
    except Exception as exc:
        return {"failed": str(exc).split(" \n ")[0]}
    return {"result": result}


@app.function_name(name="calls_missing")
@app.orchestration_trigger(context_name="context")
def calls_missing(context: df.DurableOrchestrationContext):
    try:
        yield context.call_activity("no_such_activity", 1)
    except Exception as exc:
        return {"caught": str(exc).split(" \n ")[0]}
    return "not reached"


@app.route(route="runs", methods=["POST"])
@app.durable_client_input(client_name="client")
async def start_run(req: func.HttpRequest, client: df.DurableOrchestrationClient) -> func.HttpResponse:
    """An HTTP starter, as the generated apps have: not the host's business."""
    instance_id = await client.start_new("sequence", None, req.get_json())
    return client.create_check_status_response(req, instance_id)


@app.function_name(name="parallel_retries")
@app.orchestration_trigger(context_name="context")
def parallel_retries(context: df.DurableOrchestrationContext):
    options = df.RetryOptions(first_retry_interval_in_milliseconds=1000, max_number_of_attempts=3)
    calls = [
        context.call_activity_with_retry("flaky", options, {"key": "p1", "succeed_on": 2}),
        context.call_activity_with_retry("flaky", options, {"key": "p2", "succeed_on": 3}),
        context.call_activity("async_double", 4),
    ]
    return (yield context.task_all(calls))


@app.function_name(name="async_double")
@app.activity_trigger(input_name="payload")
async def async_double(payload: int) -> int:
    return payload * 2


@app.function_name(name="yields_a_number")
@app.orchestration_trigger(context_name="context")
def yields_a_number(context: df.DurableOrchestrationContext):
    yield 5  # not a task: the SDK itself fails, outside its own error report
