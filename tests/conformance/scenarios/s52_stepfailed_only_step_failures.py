"""`except StepFailed` catches failures of steps only: an exception raised by workflow code, or by a child
workflow's code, is not a StepFailed and goes past it (a step failing inside a child still is one)."""

from portaflow import Context, RetryPolicy, StepFailed, step, workflow


class Budget(Exception):
    pass


@step(retry=RetryPolicy(max_attempts=1))
def charge(amount: int) -> int:
    if amount > 10:
        raise ValueError(f"too much: {amount}")
    return amount


@workflow
def child_over(ctx: Context, n: int) -> int:
    charge(n)
    raise Budget(f"child over budget {n}")


@workflow
def child_charge(ctx: Context, n: int) -> int:
    return charge(n)


@workflow
def budgets(ctx: Context, n: int) -> list:
    out = []
    try:
        try:
            raise Budget(f"over {n}")
        except StepFailed:
            out.append("wrong: a raise caught as StepFailed")
    except Budget as e:
        out.append(f"budget: {e}")
    try:
        try:
            child_over(ctx, n)
        except StepFailed:
            out.append("wrong: a child's raise caught as StepFailed")
    except Budget as e:
        out.append(f"child budget: {e}")
    try:
        child_charge(ctx, n * 10)
    except StepFailed as e:
        out.append(f"child step failed: {e.type} {e}")
    try:
        charge(n * 100)
    except (KeyError, StepFailed) as e:
        out.append(f"step failed: {e.type} {e}")
    return out


SCENARIO = {
    "input": {"n": 2},
    "expect": {
        "status": "completed",
        "output": [
            "budget: over 2",
            "child budget: child over budget 2",
            "child step failed: ValueError too much: 20",
            "step failed: ValueError too much: 200",
        ],
    },
}
