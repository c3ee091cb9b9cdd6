"""ctx.sleep of a negative number of seconds computed at run time raises ValueError, with the local
engine's message, on every target (uncaught, it fails the run)."""

from portaflow import Context, step, workflow


@step
def delay(n: int) -> int:
    return n - 10


@workflow
def nap(ctx: Context, n: int) -> str:
    d = delay(n)
    ctx.sleep(d)
    return "woke"


SCENARIO = {
    "input": {"n": 5},
    "expect": {
        "status": "failed",
        "error": {
            "type": "ValueError",
            "message": "ctx.sleep duration must be a finite, non-negative duration, not -5",
        },
        "checks": {"sleeps": []},
    },
}
