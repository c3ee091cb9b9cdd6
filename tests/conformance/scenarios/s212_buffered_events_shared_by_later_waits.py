"""Events sent before any item waits are buffered; map items that then open waits for that name take
them in the order they open (the first to wait takes the oldest)."""

from portaflow import Context, step, workflow


@step
def note(name: str, value: str) -> str:
    return f"{name}={value}"


@workflow
def late_waiter(ctx: Context, job: dict) -> str:
    ctx.sleep(job["after"])
    value = ctx.wait_for_event("value", timeout="1d")
    return note(job["name"], value)


@workflow
def collect(ctx: Context, jobs: list) -> list:
    return ctx.map(late_waiter, jobs)


SCENARIO = {
    "input": {"jobs": [{"name": "slow", "after": "2h"}, {"name": "fast", "after": "1h"}]},
    "actions": [["signal", "value", "old"], ["signal", "value", "new"], ["advance", "3h"]],
    "expect": {"status": "completed", "output": ["slow=new", "fast=old"]},
}
