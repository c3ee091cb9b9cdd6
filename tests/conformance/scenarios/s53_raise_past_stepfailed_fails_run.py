"""An exception raised by workflow code inside `try: ... except StepFailed:` is not caught: it fails the
run with its own type and message, on every target."""

from portaflow import Context, StepFailed, step, workflow


class Budget(Exception):
    pass


@step
def cost(n: int) -> int:
    return n * 3


@workflow
def spend(ctx: Context, n: int) -> str:
    try:
        c = cost(n)
        if c > 5:
            raise Budget(f"cost {c} over budget")
    except StepFailed as e:
        return f"step failed: {e}"
    return "ok"


SCENARIO = {
    "input": {"n": 4},
    "expect": {"status": "failed", "error": {"type": "Budget", "message": "cost 12 over budget"}},
}
