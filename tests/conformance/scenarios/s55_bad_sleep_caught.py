"""A bad ctx.sleep duration computed at run time is a ValueError the workflow can catch (not a StepFailed);
the local engine's messages on every target."""

from portaflow import Context, StepFailed, step, workflow


@step
def delay(n: int) -> int:
    return n - 10


@step
def label(n: int) -> str:
    return f"{n}x"


@step
def config(n: int) -> dict:
    return {"wait": 3 - n}


@workflow
def naps(ctx: Context, n: int) -> list:
    out = []
    d = delay(n)
    try:
        ctx.sleep(d)
    except StepFailed:
        out.append("wrong: caught as StepFailed")
    except ValueError as e:
        out.append(str(e))
    try:
        ctx.sleep(d / 2)
    except ValueError as e:
        out.append(str(e))
    text = label(n)
    try:
        ctx.sleep(text)
    except ValueError as e:
        out.append(str(e))
    cfg = config(n)
    try:
        ctx.sleep(cfg["wait"])
    except ValueError as e:
        out.append(str(e))
    ctx.sleep(-d)
    ctx.sleep(f"{-d}s")
    out.append("slept")
    return out


SCENARIO = {
    "input": {"n": 7},
    "expect": {
        "status": "completed",
        "output": [
            "ctx.sleep duration must be a finite, non-negative duration, not -3",
            "ctx.sleep duration must be a finite, non-negative duration, not -1.5",
            "ctx.sleep duration: '7x' is not a duration; write e.g. "
            "'250ms', '30s', '5m', '2h', '3d' or '1h30m'",
            "ctx.sleep duration must be a finite, non-negative duration, not -4",
            "slept",
        ],
        "checks": {"sleeps": [3.0, 3.0]},
    },
}
