"""A method called on a value whose type is known only at run time raises Python's AttributeError when the
value has another type: `.get()` on the None of a timed-out wait, `.keys()` on a list, `.lower()` on a dict
payload (on AWS, JSONata would give the default, `[]`, or its own error, and the run would take another
branch). Caught by `except AttributeError`, with Python's message."""

from portaflow import Context, step, workflow


@step
def fetch(kind: str) -> object:
    return {"list": [1, 2], "dict": {"Name": "Ada"}}[kind]


@workflow
def wrong_types(ctx: Context) -> list:
    out = []
    decision = ctx.wait_for_event("decision", timeout="1h")
    try:
        out.append(decision.get("approved", False))
    except AttributeError as e:
        out.append(str(e))
    items = fetch("list")
    try:
        out.append(list(items.keys()))
    except AttributeError as e:
        out.append(str(e))
    name = fetch("dict")
    try:
        out.append(name.lower())
    except AttributeError as e:
        out.append(str(e))
    return out


SCENARIO = {
    "actions": [["advance", "2h"]],
    "expect": {
        "status": "completed",
        "output": [
            "'NoneType' object has no attribute 'get'",
            "'list' object has no attribute 'keys'",
            "'dict' object has no attribute 'lower'",
        ],
    },
}
