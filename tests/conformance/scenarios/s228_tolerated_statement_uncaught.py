"""Both bounds: tolerated_failures=3 and tolerated_failure_percentage=20; 2 of 5 items fail (one after its
retries), more than 20%, so the run fails with TooManyFailures once every item ran."""

from portaflow import Context, RetryPolicy, step, workflow

CALLS: dict[str, int] = {}


@step(retry=RetryPolicy(max_attempts=3, initial_interval="1s"))
def sync(account: str, idempotency_key: str) -> str:
    CALLS[idempotency_key] = CALLS.get(idempotency_key, 0) + 1
    if account == "locked":
        raise PermissionError("account locked")
    if account == "slow" or (account == "late" and CALLS[idempotency_key] < 2):
        raise TimeoutError(f"attempt {CALLS[idempotency_key]} timed out")
    return account


@workflow
def sync_all(ctx: Context, accounts: list) -> str:
    ctx.map(sync, accounts, tolerated_failures=3, tolerated_failure_percentage=20)
    return "synced"


SCENARIO = {
    "input": {"accounts": ["a", "slow", "late", "locked", "b"]},
    "expect": {
        "status": "failed",
        "error": {
            "type": "TooManyFailures",
            "message": "2 of 5 items failed (tolerated: 3 or 20%); first: item 1: TimeoutError: "
            "attempt 3 timed out",
        },
    },
}
