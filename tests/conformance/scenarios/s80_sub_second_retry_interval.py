"""A retry interval below one second: the local engine waits it exactly; Step Functions counts retry
intervals in whole seconds, so the AWS backend refuses it (PFC040) rather than rounding it."""

from portaflow import Context, RetryPolicy, step, workflow

CALLS = {"n": 0}


@step(retry=RetryPolicy(max_attempts=3, initial_interval="250ms"))
def flaky(x: int) -> int:
    CALLS["n"] += 1
    if CALLS["n"] < 2:
        raise ConnectionError("try again")
    return x + 1


@workflow
def sub_second(ctx: Context, x: int) -> int:
    return flaky(x)


SCENARIO = {
    "input": {"x": 1},
    "refuses": {"aws": "PFC040"},
    "expect": {"status": "completed", "output": 2},
}
