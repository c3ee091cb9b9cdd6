"""A map item's approval is rejected from outside with a failure event (signal --error Rejected:...): the
item catches it by its class; another item's rejection is left uncaught, and every item is still attempted
(issue 12)."""

from portaflow import Context, step, workflow


class Rejected(Exception):
    pass


@step
def ship(order: str) -> str:
    return f"shipped {order}"


@workflow
def ship_one(ctx: Context, order: str) -> str:
    try:
        ctx.wait_for_event(f"approve:{order}")
    except Rejected as e:
        return f"{order} rejected: {e}"
    return ship(order)


@workflow
def ship_all(ctx: Context, orders: list) -> list:
    return ctx.map(ship_one, orders)


SCENARIO = {
    "input": {"orders": ["o1", "o2"]},
    "actions": [["fail", "approve:o1", "Rejected", "over budget"], ["signal", "approve:o2", None]],
    "expect": {"status": "completed", "output": ["o1 rejected: over budget", "shipped o2"]},
}
