from portaflow import Context, RetryPolicy, StepFailed, step, workflow


@step
def ids() -> list:
    return [3, 1, 2]


@step
def double(x: int) -> int:
    return x * 2


@step
def more(n: int) -> bool:
    return n < 3


@step
def label(s: str) -> str:
    return f"<{s}>"


@step(retry=RetryPolicy(max_attempts=1))
def refuse(x: int) -> int:
    raise ValueError(f"no {x}")


@workflow
def inside(ctx: Context) -> dict:
    """Step calls inside expressions run as statements just before theirs, in Python's order: a loop's
    iterable, a while test (asked before each iteration), if/elif tests, arguments of other steps, a list's
    append, +=, both operands of +, a wait in a test, and a failing call inside try."""
    out = []
    total = 0
    for i in ids():
        out.append(double(i))
        total += double(i)
    n = 0
    while more(n):
        n += 1
    if more(n):
        tag = "never"
    elif more(n - 2):
        tag = label(str(double(n)))
    else:
        tag = "else"
    both = label("a") + label("b")
    if ctx.wait_for_event("go", timeout="1h") is None:
        tag = tag + " (no go)"
    try:
        caught = [label("first"), refuse(7), label("never")]
    except StepFailed as e:
        caught = [e.message]
    return {
        "out": out,
        "total": total,
        "n": n,
        "tag": tag,
        "both": both,
        "caught": caught,
        "n_ids": len(ids()),
    }


SCENARIO = {
    "actions": [["advance", "2h"]],
    "expect": {
        "status": "completed",
        "output": {
            "out": [6, 2, 4],
            "total": 12,
            "n": 3,
            "tag": "<6> (no go)",
            "both": "<a><b>",
            "caught": ["no 7"],
            "n_ids": 3,
        },
    },
}
