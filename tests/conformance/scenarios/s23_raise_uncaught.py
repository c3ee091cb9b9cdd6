from portaflow import Context, step, workflow


@step
def lookup(order: str) -> dict:
    return {"order": order, "state": "shipped"}


@workflow
def cancel(ctx: Context, order: str) -> str:
    o = lookup(order)
    if o["state"] == "shipped":
        raise PermissionError(f"order {order} already shipped")
    return "cancelled"


SCENARIO = {
    "input": {"order": "o9"},
    "expect": {
        "status": "failed",
        "error": {"type": "PermissionError", "message": "order o9 already shipped"},
    },
}
