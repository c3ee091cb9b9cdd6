from portaflow import Context, step, workflow

from . import inventory


@step
def book_courier(parcels: int, speed: str) -> str:
    return f"{speed} courier for {parcels} parcel(s)"


@workflow
def ship_order(ctx: Context, cart: list, speed: str) -> dict:
    notes = []
    for item in cart:
        notes.append(inventory.reserve(item))
    courier = book_courier(len(cart), speed)
    return {"notes": notes, "courier": courier}
