from portaflow import Context, EventTimeout, workflow


@workflow
def timeout(ctx: Context) -> dict:
    """A null payload and a timeout are told apart: the first wait gets None from the event, the second
    raises EventTimeout (a TimeoutError), whose message names the event and the timeout."""
    got = ctx.wait_for_event("approval", timeout="1h", raise_on_timeout=True)
    try:
        ctx.wait_for_event("approval", timeout="2h", raise_on_timeout=True)
    except EventTimeout as e:
        second = str(e)
    try:
        ctx.wait_for_event("late", timeout="30m", raise_on_timeout=True)
    except TimeoutError as e:
        third = type(e).__name__
    return {"first": got, "second": second, "third": third}


SCENARIO = {
    "actions": [["signal", "approval", None], ["advance", "2h"], ["advance", "30m"]],
    "expect": {
        "status": "completed",
        "output": {
            "first": None,
            "second": "event 'approval' did not arrive within 2h",
            "third": "EventTimeout",
        },
    },
}
