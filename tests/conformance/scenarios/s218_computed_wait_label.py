"""`label=f"{role} #{reminder}"`: a wait's label may be an f-string of locals with text of its own (never
empty, cannot raise), computed at run time; status shows it while the run waits, as a literal label is."""

from portaflow import Context, step, workflow


@step
def remind(role: str, n: int) -> str:
    return f"reminded {role} ({n})"


@workflow
def escalate(ctx: Context, roles: list) -> dict:
    sent = []
    for role in roles:
        for reminder in range(2):
            sent.append(remind(role, reminder))
            answer = ctx.wait_for_event(f"decision:{role}", timeout="1d", label=f"{role} #{reminder}")
            if answer is not None:
                return {"by": role, "answer": answer, "sent": sent}
    return {"by": None, "sent": sent}


SCENARIO = {
    "input": {"roles": ["manager", "director"]},
    "actions": [["advance", "1d"], ["advance", "1d"], ["advance", "1d"]],
    "expect": {"status": "waiting", "waiting_for": "decision:director", "wait_label": "director #1"},
}
