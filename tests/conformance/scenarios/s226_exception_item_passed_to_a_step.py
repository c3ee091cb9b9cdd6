"""An exception item passed to a step: the step's arguments must be JSON, so the run fails with the
WorkflowError of any other non-JSON argument (the step is not called)."""

from portaflow import Context, RetryPolicy, step, workflow


class Invalid(Exception):
    pass


@step(retry=RetryPolicy(max_attempts=1))
def parse(text: str) -> int:
    if not text.isdigit():
        raise Invalid(f"not a number: {text!r}")
    return int(text)


@step
def store(values: list) -> int:
    return len(values)


@workflow
def parse_and_store(ctx: Context, texts: list) -> int:
    values = ctx.map(parse, texts, return_exceptions=True)
    return store(values)


SCENARIO = {
    "input": {"texts": ["7", "x"]},
    "expect": {
        "status": "failed",
        "error": {
            "type": "WorkflowError",
            "message": "the arguments of step 'store' must be a JSON value (dict, list, str, number, bool, "
            "None): Object of type Invalid is not JSON serializable",
        },
    },
    "refuses": {"aws": "PFC075"},
}
