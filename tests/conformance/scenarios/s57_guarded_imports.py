"""Names bound inside a module-level `try` or `if`: a `try: ... except ImportError:` import binds what its
body imports (the fallback runs only when that import fails, never here), `if TYPE_CHECKING:` imports serve
annotations only, and the `else:` of `if TYPE_CHECKING:` is what runs."""

from typing import TYPE_CHECKING

from portaflow import Context, workflow

try:
    from order_tools import format_total, price_of
except ImportError:  # the steps' module is always there: this fallback never runs
    price_of = None
    format_total = None

if TYPE_CHECKING:
    from collections.abc import Sequence
else:
    from order_tools import lookup_order


@workflow
def guarded_total(ctx: Context, order_id: str) -> dict:
    order = lookup_order(order_id)
    items: Sequence = order["items"]
    total = 0
    for item in items:
        price: int = price_of(item)
        total += price
    label = format_total(total)
    return {"items": len(items), "total": total, "label": label}


SCENARIO = {
    "input": {"order_id": "o-1"},
    "expect": {"status": "completed", "output": {"items": 3, "total": 50, "label": "$50.00"}},
}
