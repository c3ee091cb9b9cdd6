from portaflow import Context, EventFailed, step, workflow


@step
def charge(order: str) -> str:
    return f"charged {order}"


@workflow
def webhook(ctx: Context, order: str) -> str:
    """A payment webhook reports an error: the first is handled (EventFailed catches any type, a builtin
    type name is its class), the second fails the run with the sender's type and message."""
    try:
        ctx.wait_for_event("payment")
    except LookupError as e:  # KeyError is a LookupError
        seen = f"lookup: {e}"
    except EventFailed as e:
        seen = f"other: {e.type}"
    first = charge(seen)
    ctx.wait_for_event("payment")
    return first


SCENARIO = {
    "input": {"order": "o-1"},
    "actions": [
        ["fail", "payment", "KeyError", "no such card"],
        ["fail", "payment", "CardDeclined", "insufficient funds"],
    ],
    "expect": {"status": "failed", "error": {"type": "CardDeclined", "message": "insufficient funds"}},
}
