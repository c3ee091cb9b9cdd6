from portaflow import Context, workflow
@workflow
def w(ctx: Context, items: list) -> dict:
    roles = {}
    for h in items:
        if h["r"] not in roles:
            roles[h["r"]] = []
        roles[h["r"]].append(len(h["c"]))
    groups = {}
    for h in items:
        groups.setdefault(h["r"], 0)
    return {"roles": roles, "g": groups}
SCENARIO = {"input": {"items": [{"r": "a", "c": "xx"}, {"r": "b", "c": "y"}, {"r": "a", "c": ""}]}, "expect": {"status": "completed"}}
