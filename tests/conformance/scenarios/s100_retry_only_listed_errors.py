"""RetryPolicy(retry_on=[...]): only the listed errors (and their subclasses) are retried; any other error
fails the step at its first attempt (the opposite of non_retryable)."""

from portaflow import Context, RetryPolicy, StepFailed, step, workflow

CALLS: dict[str, int] = {}


class RateLimited(Exception):
    pass


class SlowDown(RateLimited):
    pass


@step(retry=RetryPolicy(max_attempts=4, initial_interval="2s", retry_on=[RateLimited, "TimeoutError"]))
def ask_llm(prompt: str, idempotency_key: str) -> str:
    CALLS[idempotency_key] = CALLS.get(idempotency_key, 0) + 1
    if prompt == "busy" and CALLS[idempotency_key] < 3:
        raise SlowDown(f"429, attempt {CALLS[idempotency_key]}")
    if prompt == "bad":
        raise ValueError("prompt rejected")
    return f"answer to {prompt}"


@workflow
def agent(ctx: Context) -> dict:
    first = ask_llm("busy")
    try:
        second = ask_llm("bad")
    except StepFailed as e:
        second = f"{e.type} after {e.attempts} attempt(s): {e.message}"
    return {"first": first, "second": second}


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": {
            "first": "answer to busy",
            "second": "ValueError after 1 attempt(s): prompt rejected",
        },
    },
}
