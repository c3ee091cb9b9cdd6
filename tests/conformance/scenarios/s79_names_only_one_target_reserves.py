"""A variable named like something one target's language reserves (``states`` is JSONata's/Step Functions'
``$states``) is an ordinary name: the neutral layers accept it and the AWS backend renames it."""

from portaflow import Context, step, workflow


@step
def lookup(state: str) -> int:
    return len(state)


@workflow
def names(ctx: Context, states: list) -> dict:
    sizes = {}
    for state in states:
        sizes[state] = lookup(state)
    partition = [s for s in states if sizes[s] > 4]
    return {"states": states, "sizes": sizes, "partition": partition}


SCENARIO = {
    "input": {"states": ["ohio", "texas", "utah"]},
    "expect": {
        "status": "completed",
        "output": {
            "states": ["ohio", "texas", "utah"],
            "sizes": {"ohio": 4, "texas": 5, "utah": 4},
            "partition": ["texas"],
        },
    },
}
