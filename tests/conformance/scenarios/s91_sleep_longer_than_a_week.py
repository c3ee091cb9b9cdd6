"""A sleep of ten days (Durable Functions splits timers longer than six days into shorter ones)."""

from portaflow import Context, step, workflow


@step
def remind(n: int) -> int:
    return n + 1


@workflow
def follow_up(ctx: Context) -> int:
    n = remind(0)
    ctx.sleep("10d")
    return remind(n)


SCENARIO = {"expect": {"status": "completed", "output": 2}}
