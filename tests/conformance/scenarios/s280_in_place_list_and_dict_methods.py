"""Issue 11: the methods that change a local list or dict in place, as an agent's bookkeeping writes them:
sort with key and reverse, reverse, insert (clamped like a slice), pop (statement and value, from the end,
an index, a negative index), remove (the first equal item), dict pop with and without default, update from
a dict, pairs and keywords, setdefault (statement and value), clear, and del of a key and of an index."""

from portaflow import Context, step, workflow


@step
def tasks() -> list:
    return [{"id": 3, "p": 2}, {"id": 1, "p": 5}, {"id": 2, "p": 5}, {"id": 4, "p": 1}]


@workflow
def methods(ctx: Context, extra: dict) -> dict:
    queue = tasks()
    queue.sort(key=lambda t: (-t["p"], t["id"]))
    order = [t["id"] for t in queue]
    ids = [t["id"] for t in queue]
    ids.sort(reverse=True)
    ids.reverse()
    ids.insert(0, 0)
    ids.insert(-1, 9)
    ids.insert(100, 7)
    ids.insert(-100, -1)
    first = queue.pop(0)
    last = queue.pop()
    queue.pop(-1)
    ids.remove(9)
    seen = {"a": 1, "b": 2, "c": 3}
    b = seen.pop("b")
    missing = seen.pop("zz", "none")
    seen.update({"d": 4, "a": 10})
    seen.update([["e", 5]], f=6)
    seen.update(extra)
    n = seen.setdefault("n", 0)
    seen.setdefault("a", 99)
    again = seen.setdefault("n", 1)
    del seen["c"]
    del ids[1]
    dropped = list(ids)
    dropped.clear()
    return {
        "order": order,
        "ids": ids,
        "first": first,
        "last": last,
        "queue": queue,
        "b": b,
        "missing": missing,
        "seen": seen,
        "n": [n, again],
        "dropped": dropped,
    }


SCENARIO = {
    "workflow": "methods",
    "input": {"extra": {"z": True}},
    "expect": {
        "status": "completed",
        "output": {
            "order": [1, 2, 3, 4],
            "ids": [-1, 1, 2, 3, 4, 7],
            "first": {"id": 1, "p": 5},
            "last": {"id": 4, "p": 1},
            "queue": [{"id": 2, "p": 5}],
            "b": 2,
            "missing": "none",
            "seen": {"a": 10, "d": 4, "e": 5, "f": 6, "z": True, "n": 0},
            "n": [0, 0],
            "dropped": [],
        },
    },
}
