"""A table of handlers that mixes nothing but child workflows, and one of plain helpers: each dispatched on
a key known only at run time (`ROUTES[kind](ctx, order)`, `FORMATS[style](text)`), the child's steps
numbered under its call, the helper inlined per entry, and an unknown key's KeyError caught."""

from portaflow import Context, step, workflow


@step
def charge(amount: int) -> str:
    return f"charged {amount}"


@step
def refund(amount: int) -> str:
    return f"refunded {amount}"


@workflow
def buy(ctx: Context, order: dict) -> str:
    return charge(order["amount"])


@workflow
def give_back(ctx: Context, order: dict) -> str:
    first = refund(order["amount"])
    if order["amount"] > 5:
        second = refund(order["amount"])
        return f"{first} twice: {second}"
    return first


def shout(text):
    return text.upper() + "!"


def whisper(text, dots=3):
    if not text:
        return ""
    return text.lower() + "." * dots


ROUTES = {"buy": buy, "refund": give_back}
FORMATS = {"shout": shout, "whisper": whisper}


@workflow
def dispatch(ctx: Context, orders: list) -> list:
    out = []
    for order in orders:
        try:
            done = ROUTES[order["kind"]](ctx, order)
            styled = FORMATS[order["style"]](done)
            out.append(styled)
        except KeyError as e:
            out.append(f"no route for {e}")
    return out


SCENARIO = {
    "input": {
        "orders": [
            {"kind": "buy", "amount": 3, "style": "shout"},
            {"kind": "refund", "amount": 9, "style": "whisper"},
            {"kind": "gift", "amount": 1, "style": "shout"},
            {"kind": "buy", "amount": 4, "style": "sing"},
        ]
    },
    "expect": {
        "status": "completed",
        "output": [
            "CHARGED 3!",
            "refunded 9 twice: refunded 9...",
            "no route for 'gift'",
            "no route for 'sing'",
        ],
    },
}
