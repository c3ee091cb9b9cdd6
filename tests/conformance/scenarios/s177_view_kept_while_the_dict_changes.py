"""A dict view kept in a variable shows the dict's later changes, and a zip kept in one is used up by its
first pass: Python's lazy objects. Step Functions and Cloudflare hold them as lists, so keeping one as a
value is refused there at compile time (PFC040, PFC060); iterated, measured or tested where it is made, it
compiles everywhere."""

from portaflow import Context, workflow


@workflow
def inventory(ctx: Context, stock: dict, names: list) -> dict:
    keys = stock.keys()
    pairs = zip(names, names)  # noqa: B905
    stock["new"] = 0
    first = [list(p) for p in pairs]
    return {
        "keys": sorted(keys),
        "first": first,
        "second": [list(p) for p in pairs],
        "made_and_used": [sorted(stock.keys()), len(stock.values()), "new" in stock.keys()],  # noqa: SIM118
    }


SCENARIO = {
    "input": {"stock": {"apple": 3}, "names": ["a", "b"]},
    "refuses": {"aws": "PFC040", "cloudflare": "PFC060"},
    "expect": {
        "status": "completed",
        "output": {
            "keys": ["apple", "new"],
            "first": [["a", "a"], ["b", "b"]],
            "second": [],
            "made_and_used": [["apple", "new"], 2, True],
        },
    },
}
