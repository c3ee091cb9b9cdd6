"""ctx.map(..., return_exceptions=True): every item is attempted and a failed item's place holds its
StepFailed (also an instance of the step's error class), one failing at once (non-retryable) and one after
its retries; the workflow filters, counts and reads .type/.message/.attempts in an f-string."""

from portaflow import Context, RetryPolicy, StepFailed, step, workflow

CALLS: dict[str, int] = {}


class Rejected(Exception):
    pass


@step(retry=RetryPolicy(max_attempts=3, initial_interval="1s", non_retryable=[Rejected]))
def score(doc: str, idempotency_key: str) -> int:
    CALLS[idempotency_key] = CALLS.get(idempotency_key, 0) + 1
    if doc == "spam":
        raise Rejected(f"{doc} is spam")
    if doc == "flaky":
        raise TimeoutError(f"no answer, attempt {CALLS[idempotency_key]}")
    return len(doc)


@workflow
def triage(ctx: Context, docs: list) -> dict:
    results = ctx.map(score, docs, return_exceptions=True)
    scores = [r for r in results if not isinstance(r, StepFailed)]
    failures = [
        f"{r.step}: {r.type} after {r.attempts}: {r.message}" for r in results if isinstance(r, Exception)
    ]
    rejected = sum(1 for r in results if isinstance(r, Rejected))
    timeouts = len([r for r in results if isinstance(r, (TimeoutError, OSError))])
    shown = [str(r) if isinstance(r, StepFailed) else r * 10 for r in results]
    return {
        "scores": scores,
        "failures": failures,
        "rejected": rejected,
        "timeouts": timeouts,
        "shown": shown,
    }


SCENARIO = {
    "input": {"docs": ["alpha", "spam", "flaky", "be"]},
    "expect": {
        "status": "completed",
        "output": {
            "scores": [5, 2],
            "failures": [
                "score: Rejected after 1: spam is spam",
                "score: TimeoutError after 3: no answer, attempt 3",
            ],
            "rejected": 1,
            "timeouts": 1,
            "shown": [50, "spam is spam", "no answer, attempt 3", 20],
        },
    },
    "refuses": {"aws": "PFC075"},
}
