"""ctx.now() of a run started today is today on every column: each offline executor's virtual clock starts
at the wall clock, as the local engine's VirtualClock does (Azure's host once started at a fixed
2026-01-01, so a report's date differed). The check is against an instant already past."""

from portaflow import Context, workflow


@workflow
def dated(ctx: Context) -> dict:
    t = ctx.now()
    ctx.sleep("1d")
    later = ctx.now()
    return {"after_may_2026": t.timestamp() > 1_780_000_000, "a_day_on": (later - t).days}


SCENARIO = {
    "expect": {"status": "completed", "output": {"after_may_2026": True, "a_day_on": 1}},
}
