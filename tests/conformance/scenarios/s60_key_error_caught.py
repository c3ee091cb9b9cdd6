"""Errors raised by pure expressions (a missing key, int() of a bad string) inside `try` are caught by a
matching `except` on every target, by class and base class, with the local engine's type and message
(`str(e)` of a KeyError is the key's repr); the statements after the failing one do not run."""

from portaflow import Context, step, workflow


@step
def load(n: int) -> dict:
    return {"a": n, "code": "12x"}


@step
def record(event: str) -> str:
    return event


@workflow
def lookups(ctx: Context, n: int) -> list:
    d = load(n)
    out = []
    try:
        a = d["a"]
        x = d["missing"]
        record("not reached")
    except KeyError as e:
        x = 0
        out.append([type(e).__name__, str(e), a])
    try:
        y = d[n]
    except LookupError as e:
        y = -1
        out.append([type(e).__name__, str(e)])
    try:
        code = int(d["code"])
    except (TypeError, ValueError) as e:
        code = None
        out.append([type(e).__name__, str(e)])
    try:
        ratio = float(d.get("ratio", "n/a"))
    except Exception as e:
        ratio = 0.0
        out.append([type(e).__name__, str(e)])
    record(f"x={x} y={y} code={code} ratio={ratio}")
    out.append(x)
    return out


SCENARIO = {
    "input": {"n": 3},
    "expect": {
        "status": "completed",
        "output": [
            ["KeyError", "'missing'", 3],
            ["KeyError", "3"],
            ["ValueError", "invalid literal for int() with base 10: '12x'"],
            ["ValueError", "could not convert string to float: 'n/a'"],
            0,
        ],
    },
}
