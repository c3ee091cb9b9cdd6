"""A refund that waits for a person: above the limit, a supervisor approves it (or three days pass)."""

from portaflow import Context, RetryPolicy, step, workflow

ORDERS = {"A1001": 42.0, "B2002": 480.0}


@step(retry=RetryPolicy(max_attempts=5, initial_interval="2s"), timeout="30s")
def propose_refund(ticket: dict) -> dict:
    """Reads the ticket and proposes a refund (a real agent asks its LLM here)."""
    return {"order_id": ticket["order_id"], "amount": ORDERS[ticket["order_id"]]}


@step
def issue_refund(order_id: str, amount: float, idempotency_key: str) -> dict:
    """The payment provider deduplicates on the key: a retry after a crash refunds once."""
    return {"refund_id": f"re_{idempotency_key}", "order_id": order_id, "amount": amount}


@step
def send_email(ticket_id: str, text: str) -> dict:
    return {"to": f"customer of {ticket_id}", "text": text}


@workflow
def refund(ctx: Context, ticket: dict, refund_limit: float = 100.0) -> dict:
    proposal = propose_refund(ticket)
    if proposal["amount"] > refund_limit:
        decision = ctx.wait_for_event("approval", timeout="3d")  # the payload, or None after 3 days
        if not decision or not decision["approved"]:
            return {"outcome": "declined"}
    receipt = issue_refund(proposal["order_id"], proposal["amount"])  # idempotency key injected
    ctx.sleep("1d")
    send_email(ticket["id"], "How did we do? Reply 1-5.")
    return {"outcome": "refunded", "receipt": receipt}
