"""`e.type`, `e.message`, `e.step`, `e.attempts` are attributes of a step's failure (StepFailed): on an error
raised by workflow code Python raises AttributeError, on AWS too; `str(e)` and `type(e).__name__` work on
every error."""

from portaflow import Context, RetryPolicy, step, workflow


@step(retry=RetryPolicy(max_attempts=1))
def lookup(key: str) -> int:
    return {"a": 1}[key]


@workflow
def attributes(ctx: Context, key: str) -> list:
    out = []
    try:
        lookup(key)
    except KeyError as e:
        out.append([e.type, e.message, e.step, e.attempts, str(e), type(e).__name__])
    d = {"a": 1}
    try:
        x = d[key]
        out.append(x)
    except KeyError as e:
        out.append([str(e), type(e).__name__])
        try:
            out.append(e.message)
        except AttributeError as missing:
            out.append(str(missing))
    try:
        raise ValueError("bad")
    except Exception as e:
        try:
            out.append(e.attempts)
        except AttributeError as missing:
            out.append([type(missing).__name__, str(missing)])
    return out


SCENARIO = {
    "workflow": "attributes",
    "input": {"key": "zz"},
    "expect": {
        "status": "completed",
        "output": [
            ["KeyError", "'zz'", "lookup", 1, "'zz'", "KeyError"],
            ["'zz'", "KeyError"],
            "'KeyError' object has no attribute 'message'",
            ["AttributeError", "'ValueError' object has no attribute 'attempts'"],
        ],
    },
}
