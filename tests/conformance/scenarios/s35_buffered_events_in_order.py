from portaflow import Context, step, workflow


@step
def handle(msg: dict) -> str:
    return msg["text"].upper()


@workflow
def inbox(ctx: Context, n: int) -> list:
    seen = []
    first = ctx.wait_for_event("start")
    seen.append(first)
    for _ in range(n):
        m = ctx.wait_for_event("msg", timeout="1h")
        if m is None:
            seen.append("timeout")
        else:
            h = handle(m)
            seen.append(h)
    return seen


SCENARIO = {
    "input": {"n": 3},
    "actions": [
        ["signal", "msg", {"text": "one"}],
        ["signal", "msg", {"text": "two"}],
        ["signal", "start", "go"],
        ["advance", "2h"],
    ],
    "expect": {"status": "completed", "output": ["go", "ONE", "TWO", "timeout"]},
}
