"""`ctx.wait_for_event(..., timeout=...)` with a timeout computed at run time, as a computed `ctx.sleep`
is: a number of seconds (`hours * 3600`), a duration string from the input, None (wait as long as it takes),
read as the local engine's parse_duration reads it; a value that is no duration raises its ValueError
before the wait (None with raise_on_timeout=True: WorkflowError), and raise_on_timeout's EventTimeout names
the duration the workflow gave."""

from portaflow import Context, EventTimeout, workflow


@workflow
def approval_window(ctx: Context, hours: int, reminder: str, limit: int | None = None) -> dict:
    first = ctx.wait_for_event("approval", timeout=hours * 3600)
    second = ctx.wait_for_event("approval", timeout=reminder)
    problem = ""
    try:
        ctx.wait_for_event("approval", timeout=reminder + " soon")
    except ValueError as e:
        problem = str(e)
    raised = ""
    try:
        ctx.wait_for_event("escalation", timeout=hours * 1800 + 90, raise_on_timeout=True)
    except EventTimeout as e:
        raised = str(e)
    misuse = ""
    try:
        ctx.wait_for_event("go", timeout=limit, raise_on_timeout=True)
    except Exception as e:
        misuse = f"{type(e).__name__}: {e}"
    go = ctx.wait_for_event("go", timeout=limit, label="open-ended")
    return {
        "first": first,
        "second": second,
        "problem": problem,
        "raised": raised,
        "misuse": misuse,
        "go": go,
    }


SCENARIO = {
    "input": {"hours": 2, "reminder": "30m"},
    "actions": [
        ["advance", "3h"],
        ["signal", "approval", {"ok": True}],
        ["advance", "2h"],
        ["advance", "30d"],
        ["signal", "go", 7],
    ],
    "expect": {
        "status": "completed",
        "output": {
            "first": None,
            "second": {"ok": True},
            "problem": "ctx.wait_for_event timeout: '30m soon' is not a duration; write e.g. '250ms', "
            "'30s', '5m', '2h', '3d' or '1h30m'",
            "raised": "event 'escalation' did not arrive within 1h1m30s",
            "misuse": "WorkflowError: ctx.wait_for_event raise_on_timeout=True needs a timeout",
            "go": 7,
        },
    },
}
