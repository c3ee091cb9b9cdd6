from portaflow import Context, step, workflow


@step
def charge(amount: int, idempotency_key: str) -> str:
    return idempotency_key


@step
def plain(x: int) -> int:
    return x


@workflow
def keys(ctx: Context) -> dict:
    a = charge(1)
    upcoming = ctx.idempotency_key()
    b = charge(2)
    ctx.now()
    plain(3)
    d = charge(4)
    return {"a": a, "upcoming": upcoming, "b": b, "d": d, "run": ctx.run_id}


SCENARIO = {
    "run_id": "order-17",
    "expect": {
        "status": "completed",
        "output": {
            "a": "order-17:0",
            "upcoming": "order-17:1",
            "b": "order-17:1",
            "d": "order-17:3",
            "run": "order-17",
        },
    },
}
