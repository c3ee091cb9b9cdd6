"""ctx.now() moves with durable time: after a three-day sleep and a day-long wait, the workflow sees four days
pass (each target's offline executor keeps time on its virtual clock, as the local engine's test clock does;
the AWS harness read $now() from the wall clock before)."""

from portaflow import Context, step, workflow


@step
def remind(days: int) -> str:
    return f"reminded after {days} days"


@workflow
def reminder(ctx: Context) -> dict:
    start = ctx.now()
    ctx.sleep("3d")
    slept = ctx.now()
    ctx.wait_for_event("nudge", timeout="1d")
    waited = ctx.now()
    days = round((waited.timestamp() - start.timestamp()) / 86400)
    text = remind(days)
    return {"after_sleep": round((slept.timestamp() - start.timestamp()) / 3600), "days": days, "text": text}


SCENARIO = {
    "actions": [["advance", "1d"]],
    "expect": {
        "status": "completed",
        "output": {"after_sleep": 72, "days": 4, "text": "reminded after 4 days"},
    },
}
