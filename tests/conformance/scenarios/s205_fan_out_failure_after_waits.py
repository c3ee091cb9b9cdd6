"""Every branch is attempted even when one fails at once: the failing branch's error (the lowest-index
failure) is raised only after the waiting branch got its event and finished (issue 12)."""

from portaflow import Context, step, workflow


@step
def charge(amount: int) -> int:
    if amount > 100:
        raise ValueError(f"amount {amount} over the limit")
    return amount


@step
def log(what: str) -> str:
    return what


@workflow
def checkout(ctx: Context) -> list:
    def confirmed() -> str:
        ctx.wait_for_event("confirm")
        return log("confirmed")

    return ctx.parallel(lambda: charge(500), confirmed, lambda: charge(5))


SCENARIO = {
    "input": {},
    "actions": [["signal", "confirm", None]],
    "expect": {"status": "failed", "error": {"type": "ValueError", "message": "amount 500 over the limit"}},
}
