"""`ctx.sleep(due - ctx.now())`: a timedelta is a duration (its total_seconds(), as the local engine's
parse_duration takes it), so a workflow sleeps until a deadline it computed; a negative one is Python's
ValueError naming its repr, on every target (on Step Functions a timedelta is its microseconds)."""

from datetime import timedelta

from portaflow import Context, workflow


@workflow
def sleep_until(ctx: Context, minutes: int) -> dict:
    opened = ctx.now()
    due = opened + timedelta(minutes=minutes)
    ctx.sleep(due - ctx.now())
    woke = ctx.now()
    late = woke - due
    problem = ""
    try:
        ctx.sleep(opened - woke)
    except ValueError as e:
        problem = str(e)
    return {"on_time": [woke >= due, late < timedelta(seconds=1)], "problem": problem}


SCENARIO = {
    "input": {"minutes": 90},
    "expect": {
        "status": "completed",
        "output": {
            "on_time": [True, True],
            "problem": "ctx.sleep duration must be a finite, non-negative duration, not "
            "datetime.timedelta(days=-1, seconds=81000)",
        },
    },
}
