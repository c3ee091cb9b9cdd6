from portaflow import Context, workflow


@workflow
def timeout(ctx: Context) -> dict:
    decision = ctx.wait_for_event("approval", timeout="3d")
    return {"decision": decision, "timed_out": decision is None}


SCENARIO = {
    "actions": [["advance", "3d"]],
    "expect": {"status": "completed", "output": {"decision": None, "timed_out": True}},
}
