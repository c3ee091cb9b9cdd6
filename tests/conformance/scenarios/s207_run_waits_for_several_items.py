"""A run whose map items still wait (two of three) is waiting; what it shows is the event of the wait at the
lowest position, as for a single wait (the local engine's RunStatus.waiting_for_all lists them all)."""

from portaflow import Context, step, workflow


@step
def sign(doc_id: str) -> str:
    return f"signed {doc_id}"


@workflow
def countersign(ctx: Context, doc_id: str) -> str:
    ctx.wait_for_event("sign-" + doc_id, timeout="7d")
    result = sign(doc_id)
    return result


@workflow
def countersign_all(ctx: Context, ids: list) -> list:
    return ctx.map(countersign, ids)


SCENARIO = {
    "input": {"ids": ["c", "a", "b"]},
    "actions": [["signal", "sign-a", None]],
    "expect": {"status": "waiting", "waiting_for": "sign-c"},
}
