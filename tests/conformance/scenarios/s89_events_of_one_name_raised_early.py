"""Three events of one name raised before the workflow waits: each wait gets the next, in the order they were
raised, none twice (Durable Functions' SDK keeps only the last early event and hands it to every wait: the
Azure runtime queues them)."""

from portaflow import Context, step, workflow


@step
def note(item: dict) -> str:
    return f"got {item['n']}"


@workflow
def inbox(ctx: Context) -> list:
    first = note({"n": 0})
    seen = [first]
    for _ in range(3):
        item = ctx.wait_for_event("item", timeout="1h")
        seen.append(item)
    return seen


SCENARIO = {
    "actions": [
        ["signal", "item", {"n": 1}],
        ["signal", "item", {"n": 2}],
        ["signal", "item", {"n": 3}],
    ],
    "expect": {"status": "completed", "output": ["got 0", {"n": 1}, {"n": 2}, {"n": 3}]},
}
