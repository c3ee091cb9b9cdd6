"""An error matched as non-retryable by a base class and not caught fails the run with its own type and
message."""

from _pf_errors import Declined

from portaflow import Context, RetryPolicy, step, workflow


@step(retry=RetryPolicy(max_attempts=3, initial_interval="1s", non_retryable=[ValueError]))
def charge(amount: int) -> int:
    raise Declined(f"card declined for {amount}")


@workflow
def uncaught(ctx: Context) -> int:
    try:
        charge(1)
    except KeyError:
        return -1
    return 0


SCENARIO = {
    "expect": {
        "status": "failed",
        "error": {"type": "Declined", "message": "card declined for 1"},
        "checks": {},
    }
}
