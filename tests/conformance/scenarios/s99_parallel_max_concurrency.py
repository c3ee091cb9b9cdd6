"""ctx.parallel(..., max_concurrency=N) runs at most N branches at once; results in branch order (issue 12).
Step Functions' Parallel state has no MaxConcurrency: refused there (PFC040) rather than ignored."""

from portaflow import Context, step, workflow


@step
def price(item: str) -> int:
    return {"lamp": 40, "bulb": 3, "shade": 12}[item]


@step
def stock(item: str) -> int:
    return len(item)


@workflow
def quote(ctx: Context, item: str) -> dict:
    def both() -> int:
        p = price(item)
        s = stock(item)
        return p * s

    a, b, c = ctx.parallel(lambda: price("bulb"), lambda: stock(item), both, max_concurrency=2)
    return {"bulb": a, "stock": b, "both": c}


SCENARIO = {
    "input": {"item": "lamp"},
    "refuses": {"aws": "PFC040"},
    "expect": {"status": "completed", "output": {"bulb": 3, "stock": 4, "both": 160}},
}
