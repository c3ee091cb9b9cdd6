"""Changes made in place that mean the same whether names share objects (Python) or every assignment
copies (Step Functions): batching, storing a changed copy back, updating the current key, explicit copies,
and a child workflow that changes its own copy of its argument (PFC041 refuses the other kinds)."""

from portaflow import Context, step, workflow


@step
def tasks() -> list:
    return [{"id": 1}, {"id": 2}, {"id": 3}, {"id": 4}, {"id": 5}]


@step
def ship(batch: list) -> int:
    return len(batch)


@workflow
def mark(ctx: Context, items: list) -> int:
    for i, t in enumerate(items):
        t = dict(t)
        t["marked"] = True
        items[i] = t
    items.append({"id": 0})
    return len(items)


@workflow
def changes(ctx: Context) -> dict:
    ts = tasks()
    batches = []
    batch = []
    for t in ts:
        batch.append(t["id"])
        if len(batch) == 2:
            batches.append(batch)
            ship(batch)
            batch = []
    if batch:
        batches.append(batch)
    for i, t in enumerate(ts):
        t = dict(t)
        t["done"] = t["id"] % 2 == 0
        ts[i] = t
    counts = {"a": 1, "b": 2}
    for k, v in counts.items():
        counts[k] = v * 10
    original = {"x": [1]}
    copy = dict(original)
    copy["y"] = 2
    grown = list(original["x"])
    grown += [2, 3]
    n = mark(ctx, ts)
    return {
        "batches": batches,
        "ts": ts,
        "counts": counts,
        "original": original,
        "copy": copy,
        "grown": grown,
        "marked": n,
    }


SCENARIO = {
    "workflow": "changes",
    "expect": {
        "status": "completed",
        "output": {
            "batches": [[1, 2], [3, 4], [5]],
            "ts": [
                {"id": 1, "done": False},
                {"id": 2, "done": True},
                {"id": 3, "done": False},
                {"id": 4, "done": True},
                {"id": 5, "done": False},
            ],
            "counts": {"a": 10, "b": 20},
            "original": {"x": [1]},
            "copy": {"x": [1], "y": 2},
            "grown": [1, 2, 3],
            "marked": 6,
        },
    },
}
