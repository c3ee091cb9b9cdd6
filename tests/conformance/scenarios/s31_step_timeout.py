import time

from portaflow import Context, RetryPolicy, step, workflow

ATTEMPTS: dict = {}


@step(timeout="1s", retry=RetryPolicy(max_attempts=2, initial_interval="5s"))
def slow(idempotency_key: str) -> str:
    ATTEMPTS[idempotency_key] = ATTEMPTS.get(idempotency_key, 0) + 1
    if ATTEMPTS[idempotency_key] == 1:
        time.sleep(1.6)
    return "fast enough"


@step(timeout="1s", retry=RetryPolicy(max_attempts=1))
def hang() -> str:
    time.sleep(1.6)
    return "never"


@workflow
def timeouts(ctx: Context) -> dict:
    first = slow()
    try:
        second = hang()
    except TimeoutError as e:
        second = f"timed out: {e}"
    return {"first": first, "second": second}


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": {"first": "fast enough", "second": "timed out: step 'hang' timed out after 1s"},
    }
}
