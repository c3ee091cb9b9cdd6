"""ctx.map over a child workflow: each item waits for its own approval event, named from the item at run
time, while its siblings complete; the events arrive out of item order (issue 12, fan-out of durable work)."""

from portaflow import Context, step, workflow


@step
def draft(doc_id: str) -> str:
    return f"draft of {doc_id}"


@step
def publish(text: str, reviewer: str) -> str:
    return f"{text} (approved by {reviewer})"


@workflow
def review(ctx: Context, doc: dict) -> dict:
    text = draft(doc["id"])
    if doc["auto"]:
        return {"id": doc["id"], "text": text}
    approval = ctx.wait_for_event(f"approve:{doc['id']}")
    published = publish(text, approval["by"])
    return {"id": doc["id"], "text": published}


@workflow
def review_all(ctx: Context, docs: list) -> list:
    return ctx.map(review, docs, max_concurrency=3)


SCENARIO = {
    "input": {"docs": [{"id": "a", "auto": False}, {"id": "b", "auto": True}, {"id": "c", "auto": False}]},
    "actions": [["signal", "approve:c", {"by": "ann"}], ["signal", "approve:a", {"by": "bob"}]],
    "expect": {
        "status": "completed",
        "output": [
            {"id": "a", "text": "draft of a (approved by bob)"},
            {"id": "b", "text": "draft of b"},
            {"id": "c", "text": "draft of c (approved by ann)"},
        ],
    },
}
