"""A support agent: an LLM loop with tool calls, human approval for large refunds, an idempotent refund,
and a follow-up a day later.

    portaflow run examples/support_agent.py:support_agent \
        --input '{"ticket": {"id": "T-1", "text": "My lamp arrived broken, order A1001"}}'

A refund above ``refund_limit`` waits (durably, up to three days) for ``portaflow signal RUN approval
--data '{"approved": true}'``.
"""

from __future__ import annotations

import json
from typing import Any

from fake_llm import support_turn

from portaflow import Context, RetryPolicy, StepFailed, step, workflow

ORDERS = {
    "A1001": {"order_id": "A1001", "total": 42.0, "item": "desk lamp", "days_since_delivery": 3},
    "B2002": {"order_id": "B2002", "total": 480.0, "item": "office chair", "days_since_delivery": 5},
    "C3003": {"order_id": "C3003", "total": 95.0, "item": "keyboard", "days_since_delivery": 60},
}


@step(retry=RetryPolicy(max_attempts=5, initial_interval="2s", backoff=2.0, max_interval="1m"), timeout="30s")
def call_llm(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """One model turn (a real agent calls its LLM client here)."""
    return support_turn(messages)


@step(retry=RetryPolicy(max_attempts=3, non_retryable=[KeyError]))
def lookup_order(order_id: str) -> dict[str, Any]:
    if order_id not in ORDERS:
        raise KeyError(f"no order {order_id}")
    return ORDERS[order_id]


@step
def check_refund_policy(order_id: str, reason: str) -> dict[str, Any]:
    days = ORDERS[order_id]["days_since_delivery"]
    if days > 30:
        return {"eligible": False, "why": f"delivered {days} days ago, the window is 30 days"}
    return {"eligible": True, "why": reason}


@step(retry=RetryPolicy(max_attempts=5, initial_interval="1s"))
def issue_refund(order_id: str, amount: float, idempotency_key: str) -> dict[str, Any]:
    """The payment provider deduplicates on the key, so a retry after a crash refunds once."""
    return {
        "refund_id": f"re_{abs(hash(idempotency_key)) % 10**8:08d}",
        "order_id": order_id,
        "amount": amount,
        "idempotency_key": idempotency_key,
    }


@step
def send_email(to: str, subject: str, body: str) -> dict[str, Any]:
    return {"sent": True, "to": to, "subject": subject}


TOOLS = {"lookup_order": lookup_order, "check_refund_policy": check_refund_policy}


@workflow
def support_agent(
    ctx: Context, ticket: dict[str, Any], refund_limit: float = 100.0, follow_up_after: str = "1d"
) -> dict[str, Any]:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a support agent. Use tools; propose refunds as JSON."},
        {"role": "user", "content": ticket["text"]},
    ]
    for _ in range(8):  # the agent loop, bounded
        reply = call_llm(messages)
        messages.append(reply)
        if not reply["tool_calls"]:
            break
        for call in reply["tool_calls"]:
            try:
                result = TOOLS[call["name"]](**call["arguments"])
            except StepFailed as err:
                result = {"error": f"{err.type}: {err.message}"}
            messages.append({"role": "tool", "name": call["name"], "content": json.dumps(result)})
    answer = messages[-1]["content"] or ""
    if not answer.startswith("{"):
        send_email(ticket.get("email", "customer@example.com"), f"Re: {ticket['id']}", answer)
        return {"ticket": ticket["id"], "outcome": "answered", "answer": answer}

    proposal = json.loads(answer)
    approved_by = "policy"
    if proposal["amount"] > refund_limit:
        decision = ctx.wait_for_event("approval", timeout="3d")
        if decision is None or not decision.get("approved"):
            reason = "no approval within 3 days" if decision is None else decision.get("reason", "rejected")
            send_email(
                ticket.get("email", "customer@example.com"),
                f"Re: {ticket['id']}",
                f"We could not refund {proposal['amount']:.2f}: {reason}.",
            )
            return {"ticket": ticket["id"], "outcome": "refund_declined", "reason": reason}
        approved_by = decision.get("by", "a supervisor")

    receipt = issue_refund(proposal["order_id"], proposal["amount"])
    send_email(
        ticket.get("email", "customer@example.com"),
        f"Re: {ticket['id']}",
        f"Refunded {proposal['amount']:.2f} ({receipt['refund_id']}).",
    )
    ctx.sleep(follow_up_after)
    send_email(ticket.get("email", "customer@example.com"), f"How did we do on {ticket['id']}?", "Reply 1-5.")
    return {"ticket": ticket["id"], "outcome": "refunded", "refund": receipt, "approved_by": approved_by}
