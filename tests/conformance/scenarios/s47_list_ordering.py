"""Python orders lists lexicographically: sorted/min/max of lists (dict items, pairs) and < > <= >= on
lists, also as the key of sorted/min/max."""

from portaflow import Context, step, workflow


@step
def scores() -> dict:
    return {"bob": 3, "amy": 5, "cal": 3}


@step
def pairs() -> list:
    return [[1, 2], [0, 5], [1, 1], [0, 5, 0], [True, 0]]


@workflow
def ordering(ctx: Context) -> dict:
    d = scores()
    ps = pairs()
    a = ps[0]
    b = ps[1]
    return {
        "items": sorted(d.items()),
        "literal": sorted([[1, 2], [0, 5]]),
        "pairs": sorted(ps),
        "reverse": sorted(ps, reverse=True),
        "by_score": sorted(d.items(), key=lambda kv: [-kv[1], kv[0]]),
        "min": min(ps),
        "max": max(ps),
        "max_key": max(d.items(), key=lambda kv: [kv[1], kv[0]]),
        "cmp": [a < b, a > b, a <= b, a >= b, b < [0, 5, 0], b > [], a <= a],
        "mixed": sorted([2, True, 1.5, 0]),
        "strings": sorted(["b", "a", "ab"]),
    }


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": {
            "items": [["amy", 5], ["bob", 3], ["cal", 3]],
            "literal": [[0, 5], [1, 2]],
            "pairs": [[0, 5], [0, 5, 0], [True, 0], [1, 1], [1, 2]],
            "reverse": [[1, 2], [1, 1], [True, 0], [0, 5, 0], [0, 5]],
            "by_score": [["amy", 5], ["bob", 3], ["cal", 3]],
            "min": [0, 5],
            "max": [1, 2],
            "max_key": ["amy", 5],
            "cmp": [False, True, False, True, True, True, True],
            "mixed": [0, True, 1.5, 2],
            "strings": ["a", "ab", "b"],
        },
    }
}
