from portaflow import Context, RetryPolicy, step, workflow

ATTEMPTS: dict = {}


@step(retry=RetryPolicy(max_attempts=4, initial_interval="2s", backoff=2.0, max_interval="1m"))
def flaky(x: int, idempotency_key: str) -> int:
    ATTEMPTS[idempotency_key] = ATTEMPTS.get(idempotency_key, 0) + 1
    if ATTEMPTS[idempotency_key] < 3:
        raise ConnectionError(f"attempt {ATTEMPTS[idempotency_key]} failed")
    return x + 1


@workflow
def retrying(ctx: Context, x: int) -> int:
    return flaky(x)


SCENARIO = {"input": {"x": 41}, "expect": {"status": "completed", "output": 42}}
