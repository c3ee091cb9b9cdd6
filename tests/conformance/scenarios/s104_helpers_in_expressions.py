"""Helpers called inside expressions, evaluated exactly where, when and as often as Python evaluates them:
in an `if` test, a `while` test (once per iteration), a comprehension (once per item), an f-string, the
arguments of a step and of another helper, behind `and` (not called when the left side decides); a tuple
unpacked inside one; a float parameter keeps its type through the helper (`str(x * 2)` of 2.0 is "4.0")."""

from portaflow import Context, step, workflow


@step
def reply(turn: int) -> str:
    return "DONE: ok" if turn >= 2 else f"thinking {turn}"


def is_done(text):
    return text.startswith("DONE")


def grade(score):
    if score >= 90:
        return "A"
    elif score >= 75:
        return "B"
    label = "C" if score >= 50 else "F"
    return label


def doubled_text(x):
    y = x * 2
    return str(y)


def split_kv(line):
    key, _, value = line.partition("=")
    return [key.strip(), value.strip()]


def checked(d, key):
    return d[key] > 0  # KeyError when the key is missing: only if called


@workflow
def helpers_in_expressions(ctx: Context, scores: list, x: float = 2.0) -> dict:
    turn = 0
    text = reply(turn)
    while not is_done(text):
        turn += 1
        text = reply(turn)
    grades = [grade(s) for s in scores if grade(s) != "F"]
    echoed = reply(len(grade(scores[0])))
    guarded = len(scores) > 10 and checked({}, "missing")
    return {
        "turns": turn,
        "grades": grades,
        "text": f"{doubled_text(x)} / {doubled_text(3)}",
        "echoed": echoed,
        "guarded": guarded,
        "nested": grade(len(doubled_text(x)) * 30),
        "pairs": [split_kv(line) for line in ["a = 1", "b=2=3"]],
    }


SCENARIO = {
    "input": {"scores": [95, 80, 10, 60], "x": 2.0},
    "expect": {
        "status": "completed",
        "output": {
            "turns": 2,
            "grades": ["A", "B", "C"],
            "text": "4.0 / 6",
            "echoed": "thinking 1",
            "guarded": False,
            "nested": "A",
            "pairs": [["a", "1"], ["b", "2=3"]],
        },
    },
}
