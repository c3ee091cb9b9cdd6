"""Step calls where agent code puts them: inside `json.dumps(...)` (a module's function, looked up without
fail), as the receiver of a method (`record(x).get(k)`), unpacked into a dict or list display
(`{**record(x), ...}`, `[*search(q), q]`: the operand first, then the unpacking) — each runs as a statement
before its own, in Python's order; a KeyError of the step's result is the workflow's."""

import json

from portaflow import Context, step, workflow


@step
def search(q: str) -> list:
    return [q, q.upper()]


@step
def record(x: str) -> dict:
    return {"id": x}


@workflow
def tool_results(ctx: Context, q: str) -> list:
    messages = []
    messages.append({"role": "tool", "content": json.dumps(search(q))})
    text = json.dumps(search(q), indent=2)
    got = record("t").get("id")
    merged = {**record("r"), "q": q}
    found = [*search(q), q]
    later = {"first": 1, **record("s")}
    try:
        missing = record("t")["missing"]
    except KeyError as e:
        missing = f"KeyError {e}"
    return [messages, text, got, merged, found, later, missing]


SCENARIO = {
    "input": {"q": "x"},
    "expect": {
        "status": "completed",
        "output": [
            [{"role": "tool", "content": '["x", "X"]'}],
            '[\n  "x",\n  "X"\n]',
            "t",
            {"id": "r", "q": "x"},
            ["x", "X", "x"],
            {"first": 1, "id": "s"},
            "KeyError 'missing'",
        ],
    },
}
