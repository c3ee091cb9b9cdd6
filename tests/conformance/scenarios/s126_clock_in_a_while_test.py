from portaflow import Context, step, workflow


@step
def poll(n: int) -> bool:
    return n >= 2


@workflow
def polling(ctx: Context) -> dict:
    """A while test that reads the clock records a value per test (ctx.now() runs before each iteration)."""
    start = ctx.now().timestamp()
    n = 0
    while ctx.now().timestamp() < start + 3600:
        if poll(n):
            break
        n += 1
        ctx.sleep("10m")
    return {"n": n}


SCENARIO = {"expect": {"status": "completed", "output": {"n": 2}}, "actions": []}
