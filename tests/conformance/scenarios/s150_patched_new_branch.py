"""ctx.patched(change_id) in a new run takes the new branch on every target, and answers the same for
every call of that id in the run (issue 9). What a run started before the change gets is each target's
deployment model (docs/semantics.md, "ctx.patched on compile targets"), tested per backend."""

from portaflow import Context, step, workflow


@step
def send(what: str) -> str:
    return f"sent {what}"


@workflow
def onboarding(ctx: Context, name: str) -> dict:
    if ctx.patched("welcome-v2"):  # noqa: SIM108 (the form users write: two branches of calls)
        mail = send(f"welcome v2 to {name}")
    else:
        mail = send(f"welcome to {name}")
    again = ctx.patched("welcome-v2")
    return {"mail": mail, "again": again, "gift": ctx.patched("gift-after-welcome") and again}


SCENARIO = {
    "input": {"name": "ada"},
    "expect": {
        "status": "completed",
        "output": {"mail": "sent welcome v2 to ada", "again": True, "gift": True},
    },
}
