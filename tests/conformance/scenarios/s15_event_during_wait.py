from portaflow import Context, step, workflow


@step
def refund(amount: float) -> str:
    return f"refunded {amount}"


@workflow
def approval(ctx: Context, amount: float) -> str:
    decision = ctx.wait_for_event("approval", timeout="3d")
    if decision is not None and decision["approved"]:
        r = refund(amount)
        return r
    return "rejected"


SCENARIO = {
    "input": {"amount": 120.0},
    "actions": [["advance", "1d"], ["signal", "approval", {"approved": True}]],
    "expect": {"status": "completed", "output": "refunded 120.0"},
}
