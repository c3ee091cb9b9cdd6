"""Exception items used as Python values: repr (also inside a list), str, f-strings with !r, truth,
identity and membership, json.dumps refusing them with Python's TypeError, a branch's own IndexError
matched by its base class, and AttributeError for .type on an exception that is not a StepFailed."""

import json

from portaflow import Context, RetryPolicy, StepFailed, step, workflow


class Rejected(Exception):
    pass


@step(retry=RetryPolicy(max_attempts=1))
def review(doc: str) -> str:
    if doc.startswith("bad"):
        raise Rejected(f"{doc} rejected")
    return doc.upper()


@workflow
def inspect(ctx: Context, docs: list) -> dict:
    rs = ctx.map(review, docs, return_exceptions=True)
    failed = [r for r in rs if isinstance(r, StepFailed)]
    first = failed[0]
    try:
        dumped = json.dumps(rs)
    except TypeError as e:
        dumped = str(e)
    out = ctx.parallel(lambda: review("fine"), lambda: docs[9], return_exceptions=True)
    second = out[1]
    try:
        kind = second.type
    except AttributeError as e:
        kind = f"AttributeError: {e}"
    return {
        "repr": f"{first!r}",
        "listed": str(rs),
        "shown": f"{first!r} / {first}",
        "truthy": [bool(r) for r in rs],
        "same": first == failed[0] and first in rs and first != rs[0],
        "dumped": dumped,
        "branch": [
            isinstance(second, LookupError),
            isinstance(second, StepFailed),
            str(second),
            f"{second!r}",
        ],
        "kind": kind,
        "ok": out[0],
    }


SCENARIO = {
    "input": {"docs": ["good", "bad one", "fine"]},
    "expect": {
        "status": "completed",
        "output": {
            "repr": "StepFailed(step='review', type='Rejected', message='bad one rejected')",
            "listed": "['GOOD', StepFailed(step='review', type='Rejected', message='bad one rejected'), "
            "'FINE']",
            "shown": "StepFailed(step='review', type='Rejected', message='bad one rejected') / "
            "bad one rejected",
            "truthy": [True, True, True],
            "same": True,
            "dumped": "Object of type Rejected is not JSON serializable",
            "branch": [True, False, "list index out of range", "IndexError('list index out of range')"],
            "kind": "AttributeError: 'IndexError' object has no attribute 'type'",
            "ok": "FINE",
        },
    },
    "refuses": {"aws": "PFC075"},
}
