from portaflow import Context, workflow


@workflow
def primitives(ctx: Context) -> dict:
    u = ctx.uuid4()
    r = ctx.random()
    return {"uuid_len": len(u), "dashes": len(u.split("-")), "in_range": 0 <= r < 1}


SCENARIO = {"expect": {"status": "completed", "output": {"uuid_len": 36, "dashes": 5, "in_range": True}}}
