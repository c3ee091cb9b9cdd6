from portaflow import Context, workflow
@workflow
def w(ctx: Context, items: list) -> dict:
    roles = {}
    for h in items:
        roles.setdefault(h["r"], []).append(len(h["c"]))
    xs = [3, 1, 2]
    xs.sort(reverse=True)
    last = xs.pop()
    xs.insert(0, 9)
    xs.remove(3)
    d = {"a": 1, "b": 2}
    b = d.pop("b")
    d.update({"c": 3}, )
    return {"roles": roles, "xs": xs, "last": last, "d": d, "b": b}
SCENARIO = {"input": {"items": [{"r": "a", "c": "xx"}, {"r": "b", "c": "y"}, {"r": "a", "c": ""}]}, "expect": {"status": "completed"}}
