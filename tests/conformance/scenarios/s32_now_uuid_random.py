from portaflow import Context, workflow


@workflow
def primitives(ctx: Context) -> dict:
    u = str(ctx.uuid4())  # a uuid.UUID locally, its string form on the cloud targets
    r = ctx.random()
    key = f"next call: {ctx.idempotency_key()}"
    stamp = str(ctx.now())
    return {
        "uuid_len": len(u),
        "dashes": len(u.split("-")),
        "in_range": 0 <= r < 1,
        "key": key,
        "year": stamp[:2] == "20",
    }


SCENARIO = {
    "run_id": "p1",
    "expect": {
        "status": "completed",
        "output": {"uuid_len": 36, "dashes": 5, "in_range": True, "key": "next call: p1:0", "year": True},
    },
}
