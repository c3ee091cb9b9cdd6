"""Issue 11: a method that changes a list or dict in place is seen through every name sharing the object, as
in Python, on the targets with reference semantics (Azure, Cloudflare: the object takes its new contents);
Step Functions copies values, so it refuses the program (PFC041) rather than lose the change."""

from portaflow import Context, workflow


@workflow
def shared(ctx: Context) -> dict:
    xs = [3, 1, 2]
    ys = xs
    xs.sort()
    ys.insert(0, 0)
    d = {"tags": ["b", "a"], "n": 1}
    tags = d["tags"]
    d["tags"].reverse()
    view = d
    d.update({"m": 2})
    d.pop("n")
    popped = ys.pop()
    return {"xs": xs, "ys": ys, "tags": tags, "view": view, "popped": popped}


SCENARIO = {
    "workflow": "shared",
    "refuses": {"aws": "PFC041"},
    "expect": {
        "status": "completed",
        "output": {
            "xs": [0, 1, 2],
            "ys": [0, 1, 2],
            "tags": ["a", "b"],
            "view": {"tags": ["a", "b"], "m": 2},
            "popped": 3,
        },
    },
}
