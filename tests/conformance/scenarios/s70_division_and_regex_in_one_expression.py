"""A division and a regex in one JSONata expression (``int(s) // 2`` lowers to both): JSONata reads a
``/`` after an operand as division, so the expression is sound; moto's variable scan once paired the two
slashes as one regex and refused the run (the harness now scans like JSONata's lexer)."""

from portaflow import Context, step, workflow


@step
def parts() -> dict:
    return {"s": " 7 ", "a": "3", "b": 9, "c": 2, "words": " x  y z "}


@workflow
def division_and_regex(ctx: Context, n: int) -> dict:
    p = parts()
    s, a, b, c, words = p["s"], p["a"], p["b"], p["c"], p["words"]
    half = int(s) // 2
    mixed = int(a) + b // c
    ratio = {"r": n / 4, "t": words.strip(), "k": len(words.split()) % c}
    chained = int(a) * n // int(s) - b // c + len(words.strip()) // 2
    return {"half": half, "mixed": mixed, "ratio": ratio, "chained": chained}


SCENARIO = {
    "input": {"n": 10},
    "expect": {
        "status": "completed",
        "output": {
            "half": 3,
            "mixed": 7,
            "ratio": {"r": 2.5, "t": "x  y z", "k": 1},
            "chained": 3,
        },
    },
}
