"""Plain helper functions, inlined on every target: early returns from `if`s and from inside a loop, a
return inside `try` (its `finally` still runs), a helper that falls off its end (None), keyword and
default arguments, and a helper's locals that never touch the caller's names of the same spelling."""

from portaflow import Context, step, workflow


@step
def record(label: str) -> str:
    return label


def clamp(x, lo=0, hi=10):
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


def first_over(xs, limit):
    for x in xs:
        for y in [x, x * 10]:
            if y > limit:
                return [x, y]
    return None


def parse_or(text, default):
    result = default
    try:
        if text.isdigit():
            return int(text)
        result = -1
    finally:
        result = result * 2
    return result


def nothing(x):
    x = x + 1


@workflow
def early_returns(ctx: Context, n: int = 42) -> dict:
    x = "caller's x"
    lo = clamp(-5)
    hi = clamp(n, hi=20)
    mid = clamp(hi=100, x=n)
    found = first_over([1, 2, 3], 15)
    none_found = first_over([1], 1000)
    digits = parse_or("12", 0)
    letters = parse_or("ab", 5)
    label = record(f"{lo}-{hi}-{mid}")
    empty = nothing(1)
    return {
        "clamped": [lo, hi, mid],
        "found": found,
        "none_found": none_found,
        "parsed": [digits, letters],
        "nothing": empty,
        "label": label,
        "x": x,
    }


SCENARIO = {
    "input": {"n": 42},
    "expect": {
        "status": "completed",
        "output": {
            "clamped": [0, 20, 42],
            "found": [2, 20],
            "none_found": None,
            "parsed": [12, -2],
            "nothing": None,
            "label": "0-20-42",
            "x": "caller's x",
        },
    },
}
