"""tolerated_failures=1 with two failures: once every item finished, the map raises TooManyFailures, which
fails the run (its message says how many failed out of how many and the first failure)."""

from portaflow import Context, RetryPolicy, step, workflow


@step(retry=RetryPolicy(max_attempts=1))
def fetch(url: str) -> str:
    if url.endswith(".invalid"):
        raise ValueError(f"cannot resolve {url}")
    return url.upper()


@workflow
def crawl(ctx: Context, urls: list) -> list:
    return ctx.map(fetch, urls, tolerated_failures=1)


SCENARIO = {
    "input": {"urls": ["a.com", "b.invalid", "c.com", "d.invalid"]},
    "expect": {
        "status": "failed",
        "error": {
            "type": "TooManyFailures",
            "message": "2 of 4 items failed (tolerated: 1); first: item 1: ValueError: "
            "cannot resolve b.invalid",
        },
    },
    "refuses": {"aws": "PFC075"},
}
