"""Errors raised while evaluating an `if` or `while` condition inside `try` (a missing key, an index past
the end, comparing a str with an int) are caught as locally; a condition that evaluates runs its branch."""

from portaflow import Context, step, workflow


@step
def config(n: int) -> dict:
    return {"levels": [n, n - 1, n - 2], "mode": "fast"}


@step
def act(label: str) -> str:
    return label


@workflow
def decide(ctx: Context, n: int) -> list:
    cfg = config(n)
    out = []
    try:
        if cfg["limit"] > n:
            act("over")
        else:
            act("under")
    except KeyError as e:
        out.append(["if", type(e).__name__, str(e)])
    i = 0
    try:
        while cfg["levels"][i] > 0:
            i += 1
        out.append(["while ended", i])
    except IndexError as e:
        out.append(["while", type(e).__name__, str(e), i])
    try:
        if cfg["mode"] > n:
            act("compared")
    except TypeError as e:
        out.append(["compare", type(e).__name__, str(e)])
    if cfg["levels"][0] > 1:
        act("levels ok")
        out.append("levels ok")
    return out


SCENARIO = {
    "input": {"n": 3},
    "expect": {
        "status": "completed",
        "output": [
            ["if", "KeyError", "'limit'"],
            ["while", "IndexError", "list index out of range", 3],
            ["compare", "TypeError", "'>' not supported between instances of 'str' and 'int'"],
            "levels ok",
        ],
    },
}
