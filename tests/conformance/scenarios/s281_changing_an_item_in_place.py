"""Issue 11: an item of a local list or dict changed in place, as agents group and count: setdefault(k,
[]).append(x), d[k].append/extend/sort/pop, d[k][j] = v, d[k]["n"] += 1, setdefault as a value, del of an
item's item. Every item is reachable through its dict alone, so copying targets agree (PFC041 otherwise)."""

from portaflow import Context, step, workflow


@step
def history() -> list:
    return [
        {"role": "user", "content": "plan"},
        {"role": "assistant", "content": "search"},
        {"role": "tool", "content": "3 results"},
        {"role": "assistant", "content": "done"},
    ]


@workflow
def items(ctx: Context) -> dict:
    hist = history()
    roles = {}
    for h in hist:
        roles.setdefault(h["role"], []).append(len(h["content"]))
    stats = {"user": {"n": 0, "seen": []}, "assistant": {"n": 0, "seen": [1]}}
    for h in hist:
        if h["role"] in stats:
            stats[h["role"]]["n"] += 1
            stats[h["role"]]["last"] = h["content"]
    roles["assistant"].extend([0, 1])
    roles["assistant"].sort(reverse=True)
    top = roles["assistant"].pop(0)
    grid = [[0, 0], [0, 0]]
    grid[1][0] = 5
    grid[0][1] += 2
    counter = {}
    for word in ["a", "b", "a"]:
        seen = counter.setdefault(word, 0)
        counter[word] = seen + 1
    del stats["user"]["seen"]
    return {"roles": roles, "stats": stats, "top": top, "grid": grid, "counter": counter}


SCENARIO = {
    "workflow": "items",
    "expect": {
        "status": "completed",
        "output": {
            "roles": {"user": [4], "assistant": [4, 1, 0], "tool": [9]},
            "stats": {"user": {"n": 1, "last": "plan"}, "assistant": {"n": 2, "seen": [1], "last": "done"}},
            "top": 6,
            "grid": [[0, 2], [5, 0]],
            "counter": {"a": 2, "b": 1},
        },
    },
}
