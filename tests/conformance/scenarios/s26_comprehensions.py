from portaflow import Context, step, workflow


@step
def rows() -> list:
    return [
        {"name": "a", "qty": 2, "tags": ["x"]},
        {"name": "b", "qty": 0, "tags": []},
        {"name": "c", "qty": 5, "tags": ["x", "y"]},
    ]


@workflow
def comprehend(ctx: Context) -> dict:
    rs = rows()
    names = [r["name"] for r in rs if r["qty"] > 0]
    by_name = {r["name"]: r["qty"] * 2 for r in rs}
    pairs = [[r["name"], t] for r in rs for t in r["tags"] if t != "y"]
    nested = [[i * j for j in range(3)] for i in range(2)]
    total = sum(r["qty"] for r in rs)
    return {
        "names": names,
        "by_name": by_name,
        "pairs": pairs,
        "nested": nested,
        "total": total,
        "any": any(r["qty"] == 0 for r in rs),
        "all": all([r["tags"] for r in rs]),
    }


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": {
            "names": ["a", "c"],
            "by_name": {"a": 4, "b": 0, "c": 10},
            "pairs": [["a", "x"], ["c", "x"]],
            "nested": [[0, 0, 0], [0, 1, 2]],
            "total": 7,
            "any": True,
            "all": False,
        },
    }
}
