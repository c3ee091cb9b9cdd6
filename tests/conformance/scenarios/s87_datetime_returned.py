"""A `ctx.now()` datetime is not a JSON value: returning one fails the run with TypeError on the local
engine. On Step Functions the time is an ISO string that would be returned without a word, so the compiler
refuses it there (PFC040, saying to return `t.isoformat()` or `t.timestamp()`)."""

from portaflow import Context, workflow


@workflow
def stamped(ctx: Context, label: str) -> dict:
    t = ctx.now()
    return {"label": label, "at": t}


SCENARIO = {
    "input": {"label": "x"},
    "refuses": {"aws": "PFC040"},
    "expect": {
        "status": "failed",
        "error": {
            "type": "TypeError",
            "message": "the result of workflow 'stamped' must be a JSON value (dict, list, str, number, "
            "bool, None): Object of type datetime is not JSON serializable",
        },
    },
}
