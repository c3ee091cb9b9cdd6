"""ctx.parallel(..., return_exceptions=True): a failed branch's place holds the exception it raised (its
step's StepFailed); the workflow branches on isinstance per outcome."""

from portaflow import Context, RetryPolicy, StepFailed, step, workflow

CALLS: dict[str, int] = {}


class QuotaExceeded(Exception):
    pass


@step(retry=RetryPolicy(max_attempts=2, initial_interval="3s", non_retryable=[QuotaExceeded]))
def search(engine: str, query: str, idempotency_key: str) -> list:
    CALLS[idempotency_key] = CALLS.get(idempotency_key, 0) + 1
    if engine == "paid":
        raise QuotaExceeded("monthly quota used up")
    if engine == "unstable":
        raise ConnectionError(f"reset by peer ({CALLS[idempotency_key]})")
    return [f"{engine}:{query}"]


@workflow
def research(ctx: Context, query: str) -> dict:
    outcomes = ctx.parallel(
        lambda: search("free", query),
        lambda: search("paid", query),
        lambda: search("unstable", query),
        return_exceptions=True,
    )
    hits: list = []
    notes = []
    for i, r in enumerate(outcomes):
        if isinstance(r, QuotaExceeded):
            notes.append(f"branch {i}: over quota ({r.message})")
        elif isinstance(r, StepFailed):
            notes.append(f"branch {i}: {r.type} x{r.attempts}: {r}")
        else:
            hits = hits + r
    return {"hits": hits, "notes": notes, "failed": len(outcomes) - len(hits)}


SCENARIO = {
    "input": {"query": "durable agents"},
    "expect": {
        "status": "completed",
        "output": {
            "hits": ["free:durable agents"],
            "notes": [
                "branch 1: over quota (monthly quota used up)",
                "branch 2: ConnectionError x2: reset by peer (2)",
            ],
            "failed": 2,
        },
    },
    "refuses": {"aws": "PFC075"},
}
