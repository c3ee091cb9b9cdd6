from portaflow import Context, step, workflow


@step
def config() -> dict:
    return {"retries": 3, "region": "eu", "flags": {"beta": True}}


@workflow
def dicts(ctx: Context) -> dict:
    c = config()
    c["region"] = "us"
    c["new"] = [1, 2]
    counts = {}
    for k in c:
        counts[k] = len(k)
    items = [[k, v] for k, v in c.items() if k != "flags"]
    return {
        "get": c.get("missing", "dflt"),
        "get2": c.get("retries"),
        "keys": list(c.keys()),
        "values_n": len(c.values()),
        "items": items,
        "counts": counts,
        "has": "flags" in c,
        "beta": c["flags"]["beta"],
    }


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": {
            "get": "dflt",
            "get2": 3,
            "keys": ["retries", "region", "flags", "new"],
            "values_n": 4,
            "items": [["retries", 3], ["region", "us"], ["new", [1, 2]]],
            "counts": {"retries": 7, "region": 6, "flags": 5, "new": 3},
            "has": True,
            "beta": True,
        },
    }
}
