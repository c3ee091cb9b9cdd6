"""tolerated_failures=2: two of five items fail, within the tolerance, so the map returns every outcome
(failures in place) and the workflow continues with what succeeded."""

from portaflow import Context, RetryPolicy, StepFailed, step, workflow


@step(retry=RetryPolicy(max_attempts=1))
def fetch(url: str) -> str:
    if url.endswith(".invalid"):
        raise ValueError(f"cannot resolve {url}")
    return url.upper()


@workflow
def crawl(ctx: Context, urls: list) -> dict:
    pages = ctx.map(fetch, urls, max_concurrency=2, tolerated_failures=2)
    ok = [p for p in pages if not isinstance(p, StepFailed)]
    return {"ok": ok, "errors": [p.message for p in pages if isinstance(p, ValueError)]}


SCENARIO = {
    "input": {"urls": ["a.com", "b.invalid", "c.com", "d.invalid", "e.com"]},
    "expect": {
        "status": "completed",
        "output": {
            "ok": ["A.COM", "C.COM", "E.COM"],
            "errors": ["cannot resolve b.invalid", "cannot resolve d.invalid"],
        },
    },
    "refuses": {"aws": "PFC075"},
}
