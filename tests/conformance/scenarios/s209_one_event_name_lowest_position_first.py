"""Every map item waits for the same event name: each event, oldest first, goes to the open wait at the
lowest position, so the items take the events in item order (issue 12, docs/semantics.md "Which wait
takes an event")."""

from portaflow import Context, step, workflow


@step
def record(name: str, ticket: int) -> str:
    return f"{name} got ticket {ticket}"


@workflow
def queue_up(ctx: Context, name: str) -> str:
    ticket = ctx.wait_for_event("ticket")
    return record(name, ticket)


@workflow
def hand_out(ctx: Context, names: list) -> list:
    return ctx.map(queue_up, names)


SCENARIO = {
    "input": {"names": ["ann", "bob", "cy"]},
    "actions": [["signal", "ticket", 1], ["signal", "ticket", 2], ["signal", "ticket", 3]],
    "expect": {"status": "completed", "output": ["ann got ticket 1", "bob got ticket 2", "cy got ticket 3"]},
}
