"""A step call after an operand that may raise (`note(job["name"], ask(q))`, `d[k] + len(ask(q))`): Python
evaluates the operand first, so the compiler evaluates it into a temporary before the step call, in Python's
order. A KeyError there comes before the step runs (the step is never called); a TypeError of the operation
itself comes after it (the step is called once)."""

from portaflow import Context, step, workflow


@step
def note(name: str, value: str) -> str:
    return f"{name}={value}"


@step
def ask(q: str) -> str:
    return q.upper()


@workflow
def operands_first(ctx: Context, job: dict) -> dict:
    first = note(job["name"], ask(job["q"]))
    total = job["n"] + len(ask(job["q"]))
    row = [job["name"], {"x": job["q"], "y": ask("z")}, f"{job['name']}-{ask('w')}"]
    nested = note(job["name"][0], ask(job["name"][1:]))
    missing = ""
    try:
        note(job["missing"], ask("never"))
    except KeyError as e:
        missing = f"KeyError {e}"
    late = ""
    try:
        late = job["name"] + len(ask("late"))
    except TypeError as e:
        late = f"TypeError {e}"
    waited = note(job["name"], ctx.wait_for_event("value", timeout="1d"))
    return {
        "first": first,
        "total": total,
        "row": row,
        "nested": nested,
        "missing": missing,
        "late": late,
        "waited": waited,
    }


SCENARIO = {
    "input": {"job": {"name": "ada", "q": "why", "n": 10}},
    "actions": [["signal", "value", "ok"]],
    "expect": {
        "status": "completed",
        "output": {
            "first": "ada=WHY",
            "total": 13,
            "row": ["ada", {"x": "why", "y": "Z"}, "ada-W"],
            "nested": "a=DA",
            "missing": "KeyError 'missing'",
            "late": 'TypeError can only concatenate str (not "int") to str',
            "waited": "ada=ok",
        },
    },
}
