from portaflow import Context, RetryPolicy, step, workflow


class PaymentDeclined(ValueError):
    pass


@step
def reserve(order: str) -> str:
    return f"res-{order}"


@step(retry=RetryPolicy(max_attempts=5, non_retryable=[ValueError]))
def charge(order: str, amount: float) -> str:
    if amount > 100:
        raise PaymentDeclined(f"card declined for {amount}")
    return "paid"


@step
def release(reservation: str) -> str:
    return f"released {reservation}"


@workflow
def saga(ctx: Context, order: str, amount: float) -> dict:
    reservation = reserve(order)
    try:
        status = charge(order, amount)
    except PaymentDeclined as e:
        undo = release(reservation)
        return {"status": "compensated", "undo": undo, "why": str(e)}
    return {"status": status}


SCENARIO = {
    "input": {"order": "o1", "amount": 250.0},
    "expect": {
        "status": "completed",
        "output": {"status": "compensated", "undo": "released res-o1", "why": "card declined for 250.0"},
    },
}
