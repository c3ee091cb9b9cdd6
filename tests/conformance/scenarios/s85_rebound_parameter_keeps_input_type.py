"""A parameter without an annotation holds the run's input, of any type, even where the body assigns it a
string later: ``label + "!"`` of an int input raises TypeError as in Python (typing ``label`` a str from its
later assignment made Step Functions concatenate ``"1!"`` silently)."""

from portaflow import Context, workflow


@workflow
def rebound(ctx: Context, label=None) -> str:
    if label is None:
        label = "untitled"
    return label + "!"


SCENARIO = {
    "input": {"label": 1},
    "expect": {
        "status": "failed",
        "error": {"type": "TypeError", "message": "unsupported operand type(s) for +: 'int' and 'str'"},
    },
}
