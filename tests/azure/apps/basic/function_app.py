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
