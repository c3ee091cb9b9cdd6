"""A tolerated fan-out written as a statement (its outcomes not kept): within the tolerance the workflow
goes on; beyond it TooManyFailures is raised after every branch ran, and caught by name."""

from portaflow import Context, RetryPolicy, TooManyFailures, step, workflow


@step(retry=RetryPolicy(max_attempts=2, initial_interval="2s", non_retryable=[PermissionError]))
def notify(user: str) -> str:
    if user.startswith("x"):
        raise PermissionError(f"{user} blocked notifications")
    return f"sent to {user}"


@workflow
def announce(ctx: Context, users: list) -> str:
    ctx.map(notify, users, tolerated_failures=1)
    try:
        ctx.parallel(
            lambda: notify("xeno"),
            lambda: notify(users[0]),
            lambda: notify("xia"),
            tolerated_failure_percentage=50,
        )
    except TooManyFailures as e:
        return f"stopped: {e}"
    return "all sent"


SCENARIO = {
    "input": {"users": ["ann", "xavier", "bob"]},
    "expect": {
        "status": "completed",
        "output": "stopped: 2 of 3 branches failed (tolerated: 50%); first: branch 0: PermissionError: "
        "xeno blocked notifications",
    },
}
