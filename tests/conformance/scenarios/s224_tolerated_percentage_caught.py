"""tolerated_failure_percentage on ctx.parallel: 1 of 4 branches (25%) is within 25%; 2 of 4 is beyond it
and the workflow catches TooManyFailures by name and reports it."""

from portaflow import Context, RetryPolicy, StepFailed, TooManyFailures, step, workflow


@step(retry=RetryPolicy(max_attempts=1))
def vote(voter: str) -> bool:
    if voter.startswith("x"):
        raise PermissionError(f"{voter} may not vote")
    return voter != "no"


@workflow
def ballot(ctx: Context, voters: list) -> dict:
    first = ctx.parallel(
        lambda: vote(voters[0]),
        lambda: vote(voters[1]),
        lambda: vote(voters[2]),
        lambda: vote("xavier"),
        tolerated_failure_percentage=25,
    )
    counted = [v for v in first if not isinstance(v, StepFailed)]
    try:
        ctx.parallel(
            lambda: vote("xena"),
            lambda: vote(voters[0]),
            lambda: vote("xavier"),
            lambda: vote(voters[1]),
            tolerated_failure_percentage=25,
        )
        second = "accepted"
    except TooManyFailures as e:
        second = f"refused: {e}"
    return {"yes": len([v for v in counted if v]), "votes": len(counted), "second": second}


SCENARIO = {
    "input": {"voters": ["ann", "no", "bob"]},
    "expect": {
        "status": "completed",
        "output": {
            "yes": 2,
            "votes": 3,
            "second": "refused: 2 of 4 branches failed (tolerated: 25%); first: branch 0: PermissionError: "
            "xena may not vote",
        },
    },
    "refuses": {"aws": "PFC075"},
}
