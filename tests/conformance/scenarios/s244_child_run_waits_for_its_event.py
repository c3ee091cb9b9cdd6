from portaflow import Context, step, workflow


@step
def publish(draft: str, reviewer: str) -> str:
    return f"{draft} (approved by {reviewer})"


@workflow
def review(ctx: Context, draft: str) -> str:
    answer = ctx.wait_for_event("approval", label="editor sign-off")
    return publish(draft, answer["by"])


@workflow
def newsletter(ctx: Context) -> dict:
    text = ctx.start_workflow(review, "issue 12").result()
    return {"published": text}


SCENARIO = {
    "refuses": {"cloudflare": "PFC083"},
    "workflow": "newsletter",
    # the event goes to the child's own run id: the child waits, the parent waits for the child
    "actions": [["signal_run", "run-1-c0", "approval", {"by": "ann"}]],
    "expect": {
        "status": "completed",
        "output": {"published": "issue 12 (approved by ann)"},
        "checks": {"children": {"run-1-c0": ("completed", "issue 12 (approved by ann)")}},
    },
}
