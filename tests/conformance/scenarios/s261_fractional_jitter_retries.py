"""RetryPolicy(jitter=0.25): each retry delay d is drawn from [0.75 d, d), from the step call's key and the
attempt; the step fails twice, then its third attempt succeeds, and a second call whose attempts run out
fails the run. Every column waits the same delays."""

from portaflow import Context, RetryPolicy, StepFailed, step, workflow

ATTEMPTS: dict[str, int] = {}


@step(retry=RetryPolicy(max_attempts=3, initial_interval="10s", backoff=2.0, max_interval="15s", jitter=0.25))
def charge(order: str, idempotency_key: str) -> dict:
    ATTEMPTS[idempotency_key] = ATTEMPTS.get(idempotency_key, 0) + 1
    if order == "o-2" or ATTEMPTS[idempotency_key] <= 2:
        raise TimeoutError(f"gateway slow for {order} (attempt {ATTEMPTS[idempotency_key]})")
    return {"order": order, "charged": True}


@workflow
def billing(ctx: Context, orders: list) -> dict:
    done = []
    for order in orders:
        try:
            done.append(charge(order))
        except StepFailed as e:
            done.append({"order": order, "failed": f"{e.type} after {e.attempts} attempts"})
    return {"orders": done}


SCENARIO = {
    "input": {"orders": ["o-1", "o-2"]},
    "expect": {
        "status": "completed",
        "output": {
            "orders": [
                {"order": "o-1", "charged": True},
                {"order": "o-2", "failed": "TimeoutError after 3 attempts"},
            ]
        },
    },
}
