"""A timedelta constant imported from another module of the project (`from approval_windows import
APPROVAL_WINDOW`) is read as one defined in the workflow's own module: a sleep's duration, a wait's timeout,
datetime arithmetic and its text, on every target."""

from approval_windows import APPROVAL_WINDOW, REMINDER_AFTER

from portaflow import Context, EventTimeout, workflow


@workflow
def approval(ctx: Context) -> dict:
    opened = ctx.now()
    due = opened + APPROVAL_WINDOW
    ctx.sleep(REMINDER_AFTER)
    reminded = ctx.now() - opened
    outcome = "approved"
    try:
        ctx.wait_for_event("approval", timeout=due - ctx.now(), raise_on_timeout=True)
    except EventTimeout as e:
        outcome = str(e)
    return {
        "window": str(APPROVAL_WINDOW),
        "reminded_after": str(reminded),
        "left": str(APPROVAL_WINDOW - REMINDER_AFTER),
        "outcome": outcome,
        "late": ctx.now() >= due,
    }


SCENARIO = {
    "actions": [["advance", "5h"]],
    "expect": {
        "status": "completed",
        "output": {
            "window": "4:00:00",
            "reminded_after": "1:30:00",
            "left": "2:30:00",
            "outcome": "event 'approval' did not arrive within 2h30m",
            "late": True,
        },
    },
}
