from portaflow import Context, RetryPolicy, step, workflow


@step(retry=RetryPolicy(max_attempts=1))
def risky(n: int) -> int:
    if n > 2:
        raise OverflowError(f"{n} is too big")
    return n


@step
def audit(event: str) -> str:
    return event


@workflow
def layered(ctx: Context, n: int) -> dict:
    try:
        try:
            v = risky(n)
        except OverflowError as e:
            audit(f"inner saw {e}")
            raise
        finally:
            audit("inner finally")
    finally:
        audit("outer finally")
    return {"v": v}


SCENARIO = {
    "input": {"n": 5},
    "expect": {"status": "failed", "error": {"type": "OverflowError", "message": "5 is too big"}},
}
