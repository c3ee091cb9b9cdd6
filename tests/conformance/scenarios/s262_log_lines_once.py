"""ctx.log(message, **fields): lines written between steps, in a loop, before and after a sleep (after
which Azure and Cloudflare replay the workflow from its start), inside a handler, and one whose message
raises KeyError inside a try. A log takes no call
number: the steps' keys are those of the same workflow without the logs (tests/test_log.py checks that
each line is written once on every target)."""

from portaflow import Context, StepFailed, step, workflow


class Declined(Exception):
    pass


@step
def charge(order: str, amount: int, idempotency_key: str) -> dict:
    if amount > 100:
        raise Declined(f"{order}: {amount} is over the limit")
    return {"order": order, "amount": amount, "key": idempotency_key}


@workflow
def checkout(ctx: Context, orders: list) -> dict:
    ctx.log(f"checking out {len(orders)} order(s)", run=ctx.run_id)
    charged = []
    for o in orders:
        ctx.log(f"charging {o['id']}", amount=o["amount"])
        try:
            r = charge(o["id"], o["amount"])
            charged.append(r["key"])
        except StepFailed as e:
            ctx.log(f"declined: {e.message}", order=o["id"])
    try:  # a message that raises is Python's exception, caught as any other (no line is written)
        ctx.log(f"coupon {orders[0]['coupon']}", tenth=orders[9])  # the message raises first
    except KeyError as e:
        ctx.log(f"no coupon: {e}")
    ctx.sleep("1h")
    ctx.log("done", charged=charged)
    return {"charged": charged}


SCENARIO = {
    "input": {
        "orders": [{"id": "o-1", "amount": 40}, {"id": "o-2", "amount": 400}, {"id": "o-3", "amount": 7}]
    },
    "run_id": "shop-1",
    "expect": {"status": "completed", "output": {"charged": ["shop-1:0", "shop-1:2"]}},
}
