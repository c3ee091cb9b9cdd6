"""A timedelta is not a JSON value: passing one to a step fails the run with the local engine's TypeError
on every target that has timedeltas (Azure: Python's own; Cloudflare: its runtime's json boundary), before the
step runs. Step Functions has no timedelta at all: refused there at compile time (PFC040)."""

from datetime import timedelta

from portaflow import Context, step, workflow


@step
def record(age: int) -> str:
    return f"recorded {age}"


@workflow
def report_age(ctx: Context) -> str:
    start = ctx.now()
    ctx.sleep(60)
    age = ctx.now() - start
    if age < timedelta(minutes=1):
        return "too soon"
    return record(age)


SCENARIO = {
    "refuses": {"aws": "PFC040"},
    "expect": {
        "status": "failed",
        "error": {
            "type": "WorkflowError",
            "message": "the arguments of step 'record' must be a JSON value (dict, list, str, number, bool, "
            "None): Object of type timedelta is not JSON serializable",
        },
    },
}
