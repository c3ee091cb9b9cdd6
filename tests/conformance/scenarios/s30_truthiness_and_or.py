from portaflow import Context, step, workflow


@step
def values() -> list:
    return [0, "", [], {}, None, [0], "0", 0.0, {"a": None}]


@workflow
def truth(ctx: Context) -> dict:
    vs = values()
    flags = [not v for v in vs]
    return {
        "flags": flags,
        "or": vs[1] or "default",
        "and": vs[5] and "yes",
        "and0": vs[0] and "never",
        "chain": 1 < 2 <= 2 < 3,
        "isnone": vs[4] is None,
        "notnone": vs[3] is not None,
        "cond": "T" if vs[6] else "F",
        "or_last": None or 0 or [],
    }


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": {
            "flags": [True, True, True, True, True, False, False, True, False],
            "or": "default",
            "and": "yes",
            "and0": 0,
            "chain": True,
            "isnone": True,
            "notnone": True,
            "cond": "T",
            "or_last": [],
        },
    }
}
