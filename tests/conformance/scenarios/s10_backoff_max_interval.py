from portaflow import Context, RetryPolicy, step, workflow

ATTEMPTS: dict = {}


@step(retry=RetryPolicy(max_attempts=6, initial_interval="3s", backoff=3.0, max_interval="30s"))
def slow_service(idempotency_key: str) -> str:
    ATTEMPTS[idempotency_key] = ATTEMPTS.get(idempotency_key, 0) + 1
    if ATTEMPTS[idempotency_key] < 6:
        raise TimeoutError("busy")
    return "ok"


@workflow
def backoff(ctx: Context) -> str:
    # delays 3, 9, 27, then capped at 30, 30
    return slow_service()


SCENARIO = {"expect": {"status": "completed", "output": "ok"}}
