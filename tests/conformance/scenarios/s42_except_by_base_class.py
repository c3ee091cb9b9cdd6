from portaflow import Context, RetryPolicy, step, workflow


class QuotaExceeded(RuntimeError):
    pass


@step(retry=RetryPolicy(max_attempts=3, initial_interval="2s", non_retryable=[LookupError]))
def find(key: str) -> str:
    raise KeyError(key)


@step(retry=RetryPolicy(max_attempts=2, initial_interval="1s", non_retryable=["RuntimeError"]))
def spend(amount: int) -> int:
    raise QuotaExceeded(f"quota exceeded by {amount}")


@workflow
def bases(ctx: Context) -> list:
    out = []
    try:
        find("k1")
    except LookupError as e:
        out.append(["lookup", e.type, str(e)])
    try:
        spend(7)
    except (ValueError, RuntimeError) as e:
        out.append(["runtime", type(e).__name__, str(e)])
    return out


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": [["lookup", "KeyError", "'k1'"], ["runtime", "QuotaExceeded", "quota exceeded by 7"]],
    }
}
