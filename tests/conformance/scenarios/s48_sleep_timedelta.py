"""ctx.sleep takes a timedelta, as the other duration options do."""

from datetime import timedelta

from portaflow import Context, step, workflow


@step
def ping(n: int) -> int:
    return n


@workflow
def naps(ctx: Context) -> int:
    ctx.sleep(timedelta(seconds=2))
    a = ping(1)
    ctx.sleep(timedelta(hours=1, minutes=30))
    b = ping(2)
    return a + b


SCENARIO = {"expect": {"status": "completed", "output": 3, "checks": {"sleeps": [2.0, 5400.0]}}}
