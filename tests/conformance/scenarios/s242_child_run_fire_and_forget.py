from portaflow import Context, step, workflow


@step
def send_receipt(order_id: str) -> str:
    return f"receipt for {order_id}"


@step
def ship(order_id: str) -> str:
    return f"shipped {order_id}"


@workflow
def receipt(ctx: Context, order_id: str) -> str:
    return send_receipt(order_id)


@workflow
def fulfil(ctx: Context, order_id: str) -> dict:
    ctx.start_workflow(receipt, order_id)  # not waited for: the receipt is a run of its own
    handle = ctx.start_workflow(receipt, order_id + "-copy")
    shipped = ship(order_id)
    return {"shipped": shipped, "receipt_run": handle.run_id}


SCENARIO = {
    "refuses": {"azure": "PFC082", "cloudflare": "PFC083"},
    "input": {"order_id": "A7"},
    "run_id": "order-A7",
    "expect": {
        "status": "completed",
        "output": {"shipped": "shipped A7", "receipt_run": "order-A7-c1"},
        "checks": {
            "children": {
                "order-A7-c0": ("completed", "receipt for A7"),
                "order-A7-c1": ("completed", "receipt for A7-copy"),
            }
        },
    },
}
