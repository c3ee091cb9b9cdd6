"""A refund saga: each step that succeeded is compensated, in reverse order, when a later one fails.

    portaflow run examples/refund_saga.py:refund_saga --input '{"order_id": "A1001", "amount": 42.0}'
    portaflow run examples/refund_saga.py:refund_saga \
        --input '{"order_id": "A1001", "amount": 42.0, "fail_at": "notify_warehouse"}'
"""

from __future__ import annotations

from typing import Any

from portaflow import Context, RetryPolicy, StepFailed, step, workflow


class PermanentError(Exception):
    """A downstream system refused the request; retrying cannot help."""


NO_RETRY = RetryPolicy(max_attempts=3, initial_interval="1s", non_retryable=[PermanentError])


@step(retry=NO_RETRY)
def reverse_charge(order_id: str, amount: float, fail: bool, idempotency_key: str) -> dict[str, Any]:
    if fail:
        raise PermanentError(f"payment provider rejected the reversal of {order_id}")
    return {"reversal": f"rv_{order_id}", "amount": amount, "key": idempotency_key}


@step(retry=NO_RETRY)
def restock(order_id: str, fail: bool) -> dict[str, Any]:
    if fail:
        raise PermanentError(f"warehouse has no open return slot for {order_id}")
    return {"restock": f"rs_{order_id}"}


@step(retry=NO_RETRY)
def notify_warehouse(order_id: str, fail: bool) -> dict[str, Any]:
    if fail:
        raise PermanentError(f"warehouse API refused order {order_id}")
    return {"notified": order_id}


@step
def undo_reverse_charge(reversal: str, idempotency_key: str) -> dict[str, Any]:
    return {"undone": reversal, "key": idempotency_key}


@step
def undo_restock(restock_id: str) -> dict[str, Any]:
    return {"undone": restock_id}


@workflow
def refund_saga(ctx: Context, order_id: str, amount: float, fail_at: str | None = None) -> dict[str, Any]:
    done: list[str] = []
    compensations: list[dict[str, Any]] = []
    try:
        charge = reverse_charge(order_id, amount, fail_at == "reverse_charge")
        done.append("reverse_charge")
        stock = restock(order_id, fail_at == "restock")
        done.append("restock")
        notify_warehouse(order_id, fail_at == "notify_warehouse")
        done.append("notify_warehouse")
    except PermanentError as err:
        if "restock" in done:
            compensations.append(undo_restock(stock["restock"]))
        if "reverse_charge" in done:
            compensations.append(undo_reverse_charge(charge["reversal"]))
        return {
            "order_id": order_id,
            "status": "compensated",
            "failed_step": err.step,
            "error": err.message,
            "undone": compensations,
        }
    except StepFailed as err:  # anything else: fail the run with the step's error after undoing
        if "reverse_charge" in done:
            undo_reverse_charge(charge["reversal"])
        raise err
    return {"order_id": order_id, "status": "refunded", "steps": done}
