"""An IndexError that no `except` matches runs the `finally` blocks (inner first) and fails the run with
the local engine's type and message, on every target."""

from portaflow import Context, step, workflow


@step
def items(n: int) -> list:
    return list(range(n))


@step
def audit(event: str) -> str:
    return event


@workflow
def pick(ctx: Context, n: int) -> int:
    xs = items(n)
    try:
        try:
            first = xs[0]
            tenth = xs[10]
            audit("not reached")
        except KeyError:
            audit("wrong handler")
            tenth = -1
        finally:
            audit(f"inner finally {first}")
    finally:
        audit("outer finally")
    return tenth


SCENARIO = {
    "input": {"n": 3},
    "expect": {"status": "failed", "error": {"type": "IndexError", "message": "list index out of range"}},
}
