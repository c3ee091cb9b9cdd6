"""str() of a raised KeyError is the repr of its argument, as Python prints it; of other errors, its str()."""

from portaflow import Context, workflow


@workflow
def raised(ctx: Context, key: str) -> list:
    out = []
    try:
        raise KeyError(key)
    except LookupError as e:
        out.append([type(e).__name__, str(e)])
    try:
        raise IndexError(key)
    except LookupError as e:
        out.append([type(e).__name__, str(e)])
    raise KeyError(key)


SCENARIO = {
    "workflow": "raised",
    "input": {"key": "it's"},
    "expect": {"status": "failed", "error": {"type": "KeyError", "message": '"it\'s"'}},
}
