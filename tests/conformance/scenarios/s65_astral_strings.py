"""Strings are sequences of code points, as in Python: an astral character (an emoji) is one character,
though JavaScript, where Step Functions evaluates JSONata, holds it as two UTF-16 code units; U+FFFF sorts
below it."""

from portaflow import Context, step, workflow


@step
def greeting() -> str:
    return "h\U0001f600llo \U0001d518\uffff"


@workflow
def astral(ctx: Context) -> dict:
    s = greeting()
    chars = []
    for c in s:
        chars.append(c)
    n = 0
    for _ in s:
        n += 1
    return {
        "len": [len(s), n, len(chars)],
        "index": [s[1], s[-2], s[1:3], s[-3:], s[:1]],
        "chars": list(s),
        "loop": chars,
        "enumerate": [[i, c] for i, c in enumerate("a\U0001f600b")],
        "sorted": sorted(["\uffff", "\U0001f600", "z", "\ue000"]),
        "compare": [s < "h\uffff", "\U0001f600" > "\uffff", max(["\uffff", "\U0001f600"])],
        "split": [s.split("\U0001f600"), s.replace("", "|")[:6], s.startswith("h\U0001f600")],
        "strip": s.strip("h\uffff"),
        "in": ["\U0001f600" in s, s.endswith("\U0001d518\uffff")],
    }


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": {
            "len": [8, 8, 8],
            "index": ["\U0001f600", "\U0001d518", "\U0001f600l", " \U0001d518\uffff", "h"],
            "chars": ["h", "\U0001f600", "l", "l", "o", " ", "\U0001d518", "\uffff"],
            "loop": ["h", "\U0001f600", "l", "l", "o", " ", "\U0001d518", "\uffff"],
            "enumerate": [[0, "a"], [1, "\U0001f600"], [2, "b"]],
            "sorted": ["z", "\ue000", "\uffff", "\U0001f600"],
            "compare": [False, True, "\U0001f600"],
            "split": [["h", "llo \U0001d518\uffff"], "|h|\U0001f600|l", True],
            "strip": "\U0001f600llo \U0001d518",
            "in": [True, True],
        },
    }
}
