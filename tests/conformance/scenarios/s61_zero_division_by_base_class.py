"""A ZeroDivisionError of `//`, `%` and `/` is caught by `except ArithmeticError` (its base class), with
Python's messages for ints and floats; `else` runs only when the body raised nothing."""

from portaflow import Context, step, workflow


@step
def counts(n: int) -> list:
    return [n, 0]


@workflow
def averages(ctx: Context, n: int, scale: float = 2.5) -> list:
    total, count = counts(n)
    out = []
    try:
        out.append(total // count)
    except ArithmeticError as e:
        out.append([type(e).__name__, str(e)])
    try:
        out.append(total % count)
    except ArithmeticError as e:
        out.append([type(e).__name__, str(e)])
    try:
        out.append(scale / count)
    except ZeroDivisionError as e:
        out.append([type(e).__name__, str(e)])
    try:
        q = total // n
    except ArithmeticError:
        out.append("not reached")
    else:
        out.append(["else", q])
    return out


SCENARIO = {
    "input": {"n": 6},
    "expect": {
        "status": "completed",
        "output": [
            ["ZeroDivisionError", "integer division or modulo by zero"],
            ["ZeroDivisionError", "integer modulo by zero"],
            ["ZeroDivisionError", "float division by zero"],
            ["else", 1],
        ],
    },
}
