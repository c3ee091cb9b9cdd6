"""An exception item is not JSON: returning the outcomes of ctx.map(..., return_exceptions=True) with a
failure among them fails the run with the TypeError of any other non-JSON result."""

from portaflow import Context, RetryPolicy, step, workflow


class Invalid(Exception):
    pass


@step(retry=RetryPolicy(max_attempts=1))
def parse(text: str) -> int:
    if not text.isdigit():
        raise Invalid(f"not a number: {text!r}")
    return int(text)


@workflow
def parse_all(ctx: Context, texts: list) -> list:
    return ctx.map(parse, texts, return_exceptions=True)


SCENARIO = {
    "input": {"texts": ["1", "two"]},
    "expect": {
        "status": "failed",
        "error": {
            "type": "TypeError",
            "message": "the result of workflow 'parse_all' must be a JSON value "
            "(dict, list, str, number, bool, None): Object of type Invalid is not JSON serializable",
        },
    },
    "refuses": {"aws": "PFC075"},
}
