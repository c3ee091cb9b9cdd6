"""A map item's wait times out (None) while its sibling's event arrives; the timeout is the item's own
(issue 12)."""

from portaflow import Context, step, workflow


@step
def decide(doc_id: str, approved: bool) -> str:
    return f"{doc_id}: {'approved' if approved else 'expired'}"


@workflow
def approve(ctx: Context, doc_id: str) -> str:
    answer = ctx.wait_for_event(f"ok:{doc_id}", timeout="1h")
    return decide(doc_id, answer is not None)


@workflow
def approve_all(ctx: Context, ids: list) -> list:
    return ctx.map(approve, ids)


SCENARIO = {
    "input": {"ids": ["x", "y"]},
    "actions": [["signal", "ok:y", True], ["advance", "2h"]],
    "expect": {"status": "completed", "output": ["x: expired", "y: approved"]},
}
