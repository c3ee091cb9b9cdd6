"""An event that arrives after a wait for it timed out stays buffered for the next wait of that name, even
when it arrives while the workflow waits for another event (on Durable Functions the timed-out wait's task
takes it: the Azure runtime hands it to the next wait)."""

from portaflow import Context, workflow


@workflow
def reminders(ctx: Context) -> dict:
    early = ctx.wait_for_event("answer", timeout="1h")
    go = ctx.wait_for_event("go")
    late = ctx.wait_for_event("answer", timeout="1h")
    again = ctx.wait_for_event("answer", timeout="1h")
    return {"early": early, "go": go, "late": late, "again": again}


SCENARIO = {
    "actions": [
        ["advance", "2h"],
        ["signal", "answer", {"n": 1}],
        ["signal", "answer", {"n": 2}],
        ["signal", "go", True],
        ["advance", "2h"],
    ],
    "expect": {
        "status": "completed",
        "output": {"early": None, "go": True, "late": {"n": 1}, "again": {"n": 2}},
    },
}
