"""An expression error in a ctx.parallel branch, after the workflow has already caught an error: the branch's
error variable is its own (a branch may not assign a variable of an outer scope on Step Functions)."""

from portaflow import Context, step, workflow


@step
def get(n: int) -> dict:
    return {"n": n, "vals": [1, 0, 2]}


@workflow
def after_caught(ctx: Context) -> list:
    out = []
    try:
        x = out[3]
        out.append(x)
    except IndexError as e:
        out.append(str(e))

    def branch_b() -> int:
        d = get(4)
        return 10 // d["vals"][1]

    try:
        ctx.parallel(lambda: get(1), branch_b)
    except ZeroDivisionError as e:
        out.append(["parallel", type(e).__name__, str(e)])
    return out


SCENARIO = {
    "workflow": "after_caught",
    "expect": {
        "status": "completed",
        "output": [
            "list index out of range",
            ["parallel", "ZeroDivisionError", "integer division or modulo by zero"],
        ],
    },
}
