"""A ctx.parallel branch sleeps, then calls a step, while the other branch calls its step at once; the
branch's sleep and step keys are the branch's own (n.b.k) (issue 12)."""

from portaflow import Context, step, workflow


@step
def remind(who: str) -> str:
    return f"reminded {who}"


@step
def notify(who: str) -> str:
    return f"notified {who}"


@workflow
def follow_up(ctx: Context, who: str) -> dict:
    def later() -> str:
        ctx.sleep("2h")
        return remind(who)

    now, then = ctx.parallel(lambda: notify(who), later)
    return {"now": now, "then": then}


SCENARIO = {
    "input": {"who": "kim"},
    "expect": {"status": "completed", "output": {"now": "notified kim", "then": "reminded kim"}},
}
