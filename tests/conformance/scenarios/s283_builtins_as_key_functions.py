"""Issue 11: a builtin of one value as the key of sorted/min/max/list.sort (key=len, key=abs, key=str),
and a local dict's .get (min(d, key=d.get)), each as the lambda calling it, with Python's exceptions."""

from portaflow import Context, workflow


@workflow
def keys(ctx: Context, words: list, nums: list) -> dict:
    usage = {"search": 3, "calc": 1, "fetch": 2}
    longest = max(words, key=len, default="")
    nothing = max([], key=len, default="")
    ws = list(words)
    ws.sort(key=len, reverse=True)
    try:
        bad = sorted([*nums, "x"], key=abs)
    except TypeError as e:
        bad = str(e)
    return {
        "by_len": sorted(words, key=len),
        "longest": longest,
        "nothing": nothing,
        "by_abs": sorted(nums, key=abs),
        "as_text": sorted(nums, key=str),
        "least_used": min(usage, key=usage.get),
        "most_used": sorted(usage, key=usage.get, reverse=True),
        "ws": ws,
        "bad": bad,
    }


SCENARIO = {
    "workflow": "keys",
    "input": {"words": ["ccc", "a", "bb", "dd"], "nums": [-3, 2, -1, 10]},
    "expect": {
        "status": "completed",
        "output": {
            "by_len": ["a", "bb", "dd", "ccc"],
            "longest": "ccc",
            "nothing": "",
            "by_abs": [-1, 2, -3, 10],
            "as_text": [-1, -3, 10, 2],
            "least_used": "calc",
            "most_used": ["search", "fetch", "calc"],
            "ws": ["ccc", "bb", "dd", "a"],
            "bad": "bad operand type for abs(): 'str'",
        },
    },
}
