from portaflow import Context, step, workflow


@step
def data() -> list:
    return [5, 3, 9, 1]


@workflow
def builtins_(ctx: Context) -> dict:
    xs = data()
    pairs = []
    for i, x in enumerate(xs):
        pairs.append([i, x])
    return {
        "len": len(xs),
        "min": min(xs),
        "max": max(xs),
        "sum": sum(xs),
        "sorted": sorted(xs),
        "rsorted": sorted(xs, reverse=True),
        "key": sorted(["bb", "a", "ccc"], key=lambda s: len(s)),
        "round": round(5.36, 1),
        "abs": abs(-4),
        "range": list(range(2, 10, 3)),
        "pairs": pairs,
        "zip": [[a, b] for a, b in zip(xs, ["w", "x", "y"], strict=False)],
        "str": str(12),
        "int": int("42"),
        "float": float("1.5"),
        "bool": [bool(0), bool("x"), bool([]), bool({"a": 1})],
        "min2": min(4, 2, 8),
    }


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": {
            "len": 4,
            "min": 1,
            "max": 9,
            "sum": 18,
            "sorted": [1, 3, 5, 9],
            "rsorted": [9, 5, 3, 1],
            "key": ["a", "bb", "ccc"],
            "round": 5.4,
            "abs": 4,
            "range": [2, 5, 8],
            "pairs": [[0, 5], [1, 3], [2, 9], [3, 1]],
            "zip": [[5, "w"], [3, "x"], [9, "y"]],
            "str": "12",
            "int": 42,
            "float": 1.5,
            "bool": [False, True, False, True],
            "min2": 2,
        },
    }
}
