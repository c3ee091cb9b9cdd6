from portaflow import Context, workflow


@workflow
def two_events(ctx: Context) -> list:
    first = ctx.wait_for_event("first")
    second = ctx.wait_for_event("second", timeout="1h")
    return [first, second]


SCENARIO = {
    "actions": [["signal", "second", {"n": 2}], ["signal", "first", {"n": 1}]],
    "expect": {"status": "completed", "output": [{"n": 1}, {"n": 2}]},
}
