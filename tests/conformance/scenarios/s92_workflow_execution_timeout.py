"""@workflow(timeout=...): a run still waiting at its deadline fails with WorkflowTimeout (the workflow cannot
catch it); the steps before it are recorded."""

from portaflow import Context, step, workflow


@step
def ask(question: str) -> str:
    return f"asked: {question}"


@workflow(timeout="1h")
def ask_and_wait(ctx: Context, question: str) -> dict:
    asked = ask(question)
    try:
        answer = ctx.wait_for_event("answer")
    except Exception:
        answer = "caught"
    return {"asked": asked, "answer": answer}


SCENARIO = {
    "input": {"question": "ready?"},
    "actions": [["advance", "2h"]],
    "expect": {
        "status": "failed",
        "error_matches": {
            "type": "WorkflowTimeout",
            "message": r"workflow 'ask_and_wait' passed its execution timeout of 1h "
            r"\(@workflow\(timeout=\.\.\.\)\): the run had until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC",
        },
    },
}
