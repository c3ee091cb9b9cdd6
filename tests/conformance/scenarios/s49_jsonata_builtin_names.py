"""Workflow variables named like JSONata built-in functions ($count, $keys, $now...) must not shadow them."""

from portaflow import Context, step, workflow


@step
def get(xs: list) -> list:
    return xs


@workflow
def shadow(ctx: Context, xs: list, string: str = "s", uuid: int = 5) -> dict:
    ys = get(xs)
    count = 0
    keys = {"a": 1}
    type = "t"
    number = 2
    lookup = {"k": "v"}
    append = [1]
    error = "e"
    sum = 3
    map = {"m": 1}
    filter = [2]
    exists = True
    length = 4
    now = ctx.now()
    later = ctx.now()
    for x in ys:
        count += x
    return {
        "len": len(ys),
        "count": count,
        "keys": list(keys.keys()),
        "more": [type, string, number, lookup.get("k"), append + filter, error, sum, map, exists, length],
        "times": str(now) <= str(later),
        "sorted": sorted(ys),
        "uuid": uuid,
    }


SCENARIO = {
    "input": {"xs": [3, 1, 2], "uuid": 9},
    "expect": {
        "status": "completed",
        "output": {
            "len": 3,
            "count": 6,
            "keys": ["a"],
            "more": ["t", "s", 2, "v", [1, 2], "e", 3, {"m": 1}, True, 4],
            "times": True,
            "sorted": [1, 2, 3],
            "uuid": 9,
        },
    },
}
