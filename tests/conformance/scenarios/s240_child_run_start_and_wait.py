from portaflow import Context, step, workflow


@step
def quote(item: str, idempotency_key: str) -> dict:
    return {"item": item, "price": len(item) * 3, "key": idempotency_key}


@workflow
def pricing(ctx: Context, item: str) -> dict:
    return quote(item)


@workflow
def order(ctx: Context, item: str) -> dict:
    first = quote("wrapping")
    priced = ctx.start_workflow(pricing, item).result()
    return {"first": first["key"], "child": priced}


SCENARIO = {
    "refuses": {"cloudflare": "PFC083"},
    "input": {"item": "lamp"},
    "expect": {
        "status": "completed",
        "output": {"first": "run-1:0", "child": {"item": "lamp", "price": 12, "key": "run-1-c1:0"}},
    },
}
