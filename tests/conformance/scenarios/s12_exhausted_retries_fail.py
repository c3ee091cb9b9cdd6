from portaflow import Context, RetryPolicy, step, workflow


@step(retry=RetryPolicy(max_attempts=3, initial_interval="1s", backoff=2.0))
def always_down(service: str) -> str:
    raise ConnectionError(f"{service} unreachable")


@workflow
def doomed(ctx: Context, service: str) -> str:
    return always_down(service)


SCENARIO = {
    "input": {"service": "billing"},
    "expect": {"status": "failed", "error": {"type": "ConnectionError", "message": "billing unreachable"}},
}
