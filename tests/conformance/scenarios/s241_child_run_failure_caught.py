from portaflow import ChildFailed, Context, RetryPolicy, step, workflow


class Declined(Exception):
    """The card issuer refused the charge."""


@step(retry=RetryPolicy(max_attempts=2, initial_interval="1s", non_retryable=[Declined]))
def charge(amount: int) -> str:
    if amount > 100:
        raise Declined(f"amount {amount} over the card's limit")
    return f"charged {amount}"


@workflow
def payment(ctx: Context, amount: int) -> str:
    return charge(amount)


@workflow
def checkout(ctx: Context) -> dict:
    ok = ctx.start_workflow(payment, 20).result()
    try:
        ctx.start_workflow(payment, amount=500).result()
    except Declined as e:
        refused = {"type": type(e).__name__, "message": e.message}
    try:
        ctx.start_workflow(payment, 900).result()
    except ChildFailed as e:
        again = str(e)
    return {"ok": ok, "refused": refused, "again": again}


SCENARIO = {
    "refuses": {"cloudflare": "PFC083"},
    "workflow": "checkout",
    "expect": {
        "status": "completed",
        "output": {
            "ok": "charged 20",
            "refused": {"type": "Declined", "message": "amount 500 over the card's limit"},
            "again": "amount 900 over the card's limit",
        },
        "checks": {
            "children": {
                "run-1-c0": ("completed", "charged 20"),
                "run-1-c1": ("failed", {"type": "Declined", "message": "amount 500 over the card's limit"}),
                "run-1-c2": ("failed", {"type": "Declined", "message": "amount 900 over the card's limit"}),
            }
        },
    },
}
