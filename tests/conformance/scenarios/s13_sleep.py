from portaflow import Context, step, workflow


@step
def remind(who: str) -> str:
    return f"reminded {who}"


@workflow
def follow_up(ctx: Context, who: str) -> list:
    ctx.sleep("1h30m")
    first = remind(who)
    ctx.sleep("3d")
    second = remind(who)
    ctx.sleep(45)
    return [first, second]


SCENARIO = {
    "input": {"who": "ann"},
    "expect": {
        "status": "completed",
        "output": ["reminded ann", "reminded ann"],
        "checks": {"sleeps": [5400.0, 259200.0, 45.0]},
    },
}
