"""A workflow inside a package importing relatively: `from . import module`, `from .module import step`, a
child workflow from a sibling module (whose own steps come from a third one), and an error class of another
module caught by its base class."""

from portaflow import Context, workflow

from . import inventory
from .billing import charge
from .errors import PaymentError
from .shipping import ship_order


@workflow
def checkout(ctx: Context, cart: list, card_limit: int) -> dict:
    total = inventory.quote(cart)
    speed = "express"
    try:
        receipt = charge(total + 50, card_limit)
    except PaymentError as e:
        declined = f"{e.type}: {e}"
        speed = "standard"
        receipt = charge(total, card_limit)
    else:
        declined = None
    shipment = ship_order(ctx, cart, speed)
    return {"total": total, "receipt": receipt, "declined": declined, "shipment": shipment}


SCENARIO = {
    "workflow": "checkout",
    "input": {"cart": ["book", "pen", "book"], "card_limit": 30},
    "expect": {
        "status": "completed",
        "output": {
            "total": 27,
            "receipt": {"charged": 27, "key": "2"},
            "declined": "CardDeclined: 77 is over the card's limit of 30",
            "shipment": {
                "notes": ["reserved book", "reserved pen", "reserved book"],
                "courier": "standard courier for 3 parcel(s)",
            },
        },
    },
}
