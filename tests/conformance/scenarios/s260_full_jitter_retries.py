"""RetryPolicy(jitter="full"): a step failing twice waits a delay drawn from [0, d) before each retry,
derived from the step call's key and the attempt (docs/semantics.md, "Retries"), so every target and every
replay waits the same: the conformance columns compare each failed attempt's delay exactly."""

from portaflow import Context, RetryPolicy, step, workflow

ATTEMPTS: dict[str, int] = {}


@step(retry=RetryPolicy(max_attempts=4, initial_interval="2s", backoff=3.0, jitter="full"))
def fetch_page(url: str, idempotency_key: str) -> str:
    ATTEMPTS[idempotency_key] = ATTEMPTS.get(idempotency_key, 0) + 1
    if ATTEMPTS[idempotency_key] <= 2:
        raise ConnectionError(f"{url}: reset on attempt {ATTEMPTS[idempotency_key]}")
    return f"<html>{url}</html>"


@workflow
def crawl(ctx: Context, urls: list) -> list:
    pages = []
    for u in urls:
        page = fetch_page(u)
        pages.append(page)
    return pages


SCENARIO = {
    "input": {"urls": ["a.example", "b.example"]},
    "run_id": "crawl-7",
    "expect": {"status": "completed", "output": ["<html>a.example</html>", "<html>b.example</html>"]},
}
