"""`ctx.wait_for_event(..., timeout=due - ctx.now())`: a timedelta computed at run time is a wait's timeout
(its total_seconds(), as the local engine's parse_duration takes it), and a module-level timedelta constant
is one too, on every target (on Step Functions a timedelta is its microseconds)."""

from datetime import timedelta

from portaflow import Context, EventTimeout, workflow

APPROVAL_WINDOW = timedelta(hours=4)


@workflow
def sign_off(ctx: Context, minutes: int) -> dict:
    due = ctx.now() + timedelta(minutes=minutes)
    answer = ctx.wait_for_event("approval", timeout=due - ctx.now())
    late = ""
    try:
        ctx.wait_for_event("approval", timeout=APPROVAL_WINDOW, raise_on_timeout=True)
    except EventTimeout as e:
        late = str(e)
    return {"answer": answer, "late": late, "missed": ctx.now() >= due}


SCENARIO = {
    "input": {"minutes": 90},
    "actions": [["advance", "2h"], ["advance", "5h"]],
    "expect": {
        "status": "completed",
        "output": {"answer": None, "late": "event 'approval' did not arrive within 4h", "missed": True},
    },
}
