from portaflow import Context, EventTimeout, step, workflow


@step
def ask(doc: str) -> str:
    return f"asked about {doc}"


@workflow
def review(ctx: Context, doc: dict) -> dict:
    """A wait whose name and timeout are both computed at run time, inside a map item."""
    ask(doc["id"])
    try:
        answer = ctx.wait_for_event(f"ok:{doc['id']}", timeout=doc["hours"] * 3600, raise_on_timeout=True)
    except EventTimeout as e:
        return {"id": doc["id"], "answer": None, "why": str(e)}
    return {"id": doc["id"], "answer": answer, "why": ""}


@workflow
def reviews(ctx: Context, docs: list) -> list:
    return ctx.map(review, docs)


SCENARIO = {
    "workflow": "reviews",
    "input": {"docs": [{"id": "a", "hours": 1}, {"id": "b", "hours": 2}]},
    "actions": [["signal", "ok:b", "yes"], ["advance", "90m"]],
    "expect": {
        "status": "completed",
        "output": [
            {"id": "a", "answer": None, "why": "event 'ok:a' did not arrive within 1h"},
            {"id": "b", "answer": "yes", "why": ""},
        ],
    },
}
