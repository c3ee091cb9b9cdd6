from portaflow import Context, workflow


@workflow
def named(ctx: Context) -> str:
    """Two waits for the same event, each labelled: the run waits in the second, and shows its label."""
    ctx.wait_for_event("approval", timeout="1d", label="team lead sign-off")
    ctx.wait_for_event("approval", label="finance sign-off")
    return "approved"


SCENARIO = {
    "actions": [["signal", "approval", {"ok": True}]],
    "expect": {"status": "waiting", "waiting_for": "approval", "wait_label": "finance sign-off"},
}
