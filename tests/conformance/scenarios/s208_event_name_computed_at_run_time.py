"""An event name computed at run time outside any fan-out: the timed-out wait's EventTimeout names it (its
repr), the next one takes the event sent under the computed name; ':' is no Cloudflare event type, so the
wait there uses its stand-in type, which the worker's endpoint sends to (issue 12)."""

from portaflow import Context, EventTimeout, step, workflow


@step
def settle(order_id: str, how: str) -> str:
    return f"{order_id} settled by {how}"


@workflow
def pay(ctx: Context, order_id: str) -> list:
    try:
        ctx.wait_for_event(f"confirm:{order_id}", timeout="1h", raise_on_timeout=True)
        first = "confirmed"
    except EventTimeout as e:
        first = str(e)
    paid = ctx.wait_for_event("paid:" + order_id, timeout="1d")
    result = settle(order_id, paid["how"])
    return [first, result]


SCENARIO = {
    "input": {"order_id": "o-7"},
    "actions": [["advance", "2h"], ["signal", "paid:o-7", {"how": "card"}]],
    "expect": {
        "status": "completed",
        "output": ["event 'confirm:o-7' did not arrive within 1h", "o-7 settled by card"],
    },
}
