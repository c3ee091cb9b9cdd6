"""Steps imported from a sibling module: `from m import f`, `import m` then `m.f(...)`, `m.f` in ctx.map, and
a retry policy that is a module-level constant of that module."""

import order_tools
from order_tools import lookup_order, reserve_stock

from portaflow import Context, workflow


@workflow
def fulfil_order(ctx: Context, order_id: str) -> dict:
    order = lookup_order(order_id)
    prices = ctx.map(order_tools.price_of, order["items"], max_concurrency=2)
    reserved = reserve_stock(order["items"])
    total = sum(prices)
    label = order_tools.format_total(total)
    return {"order": order["id"], "reserved": reserved, "total": total, "label": label}


SCENARIO = {
    "workflow": "fulfil_order",
    "input": {"order_id": "o-1"},
    "expect": {
        "status": "completed",
        "output": {"order": "o-1", "reserved": 3, "total": 50, "label": "$50.00"},
    },
}
