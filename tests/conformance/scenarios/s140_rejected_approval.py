from portaflow import Context, step, workflow


class Rejected(Exception):
    """An approver's refusal: the reason is the failure event's message."""


@step
def refund(amount: float) -> str:
    return f"refunded {amount}"


@step
def notify(reason: str) -> str:
    return f"told the customer: {reason}"


@workflow
def approval(ctx: Context, amount: float) -> dict:
    try:
        ctx.wait_for_event("approval", timeout="3d")
    except Rejected as e:
        told = notify(str(e))
        return {"outcome": told, "type": type(e).__name__, "reason": e.message}
    done = refund(amount)
    return {"outcome": done}


SCENARIO = {
    "input": {"amount": 120.0},
    "actions": [["advance", "1d"], ["fail", "approval", "Rejected", "over the refund limit"]],
    "expect": {
        "status": "completed",
        "output": {
            "outcome": "told the customer: over the refund limit",
            "type": "Rejected",
            "reason": "over the refund limit",
        },
    },
}
