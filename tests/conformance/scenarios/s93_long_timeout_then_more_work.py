"""An approval with a ten-day timeout that arrives after an hour: the run goes on at once (on Durable
Functions a timer longer than six days is a chain of timers that a cancellation does not reach, and the host
runs the next actions only after it: the Azure runtime races events with timers of at most six days)."""

from portaflow import Context, step, workflow


@step
def act(decision: dict) -> str:
    return f"approved by {decision['by']}"


@workflow
def approve(ctx: Context) -> dict:
    decision = ctx.wait_for_event("approval", timeout="10d")
    done = act(decision)
    ctx.sleep("1h")
    again = ctx.wait_for_event("approval", timeout="8d")
    return {"done": done, "again": again}


SCENARIO = {
    "actions": [
        ["advance", "1h"],
        ["signal", "approval", {"by": "ada"}],
        ["signal", "approval", {"by": "bob"}],
    ],
    "expect": {"status": "completed", "output": {"done": "approved by ada", "again": {"by": "bob"}}},
}
