"""Python's bools are the ints 0 and 1 in arithmetic (JSONata refuses booleans there): counting the
successes of steps with += and sum, bools times strings, bools compared with numbers."""

from portaflow import Context, step, workflow


@step
def check(n: int) -> bool:
    return n % 2 == 0


@step
def flags() -> list:
    return [True, False, True, True]


@workflow
def bools(ctx: Context) -> dict:
    ok = 0
    for n in [1, 2, 4, 7]:
        even = check(n)
        ok += even
    fs = flags()
    first = fs[0]
    t: bool = len(fs) > 3
    return {
        "count": [ok, sum(fs), sum([t, t, first]), sum([], first)],
        "ops": [True + True, first + 1, first - 2.5, t * 3, -first, +t, abs(first), round(t), 7 // (t + 1)],
        "more": [first / 2, 5 % (first + 2), first**2, t * 0.5, 2**t],
        "text": ["ab" * first, first * "x", [0] * t, f"{t + t}", str(first * 10)],
        "compare": [first == 1, t < 2, first >= 0.5, 1 + t < 2, max(first, 0), min(t, 1, 2)],
        "convert": [int(first), float(t), int(True) + int(False)],
    }


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": {
            "count": [2, 3, 3, True],
            "ops": [2, 2, -1.5, 3, -1, 1, 1, 1, 3],
            "more": [0.5, 2, 1, 0.5, 2],
            "text": ["ab", "x", [0], "2", "10"],
            "compare": [True, True, True, False, True, True],
            "convert": [1, 1.0, 1],
        },
    }
}
