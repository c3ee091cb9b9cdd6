"""Steps imported under other names: `from m import f as g`, `import a.b as m`, a package re-exporting a step
(`from payments import record`), a table of steps defined in another module, and two steps with the same
function name from two modules (`cards.charge`, `wallet.charge`)."""

import payments.wallet as wallet
from payments import record as record_payments
from payments.cards import charge as charge_card
from payments.notify import CHANNELS

from portaflow import Context, workflow


@workflow
def settle(ctx: Context, bills: list, wallet_balance: int, channel: str) -> dict:
    paid = []
    for amount in bills:
        if amount <= wallet_balance:
            wallet_balance -= amount
            paid.append(wallet.charge(amount))
        else:
            paid.append(charge_card(amount))
    count = record_payments(paid)
    sent = CHANNELS[channel](to="ana", text=", ".join(paid))
    return {"paid": paid, "recorded": count, "sent": sent, "left": wallet_balance}


SCENARIO = {
    "workflow": "settle",
    "input": {"bills": [5, 20, 3], "wallet_balance": 10, "channel": "sms"},
    "expect": {
        "status": "completed",
        "output": {
            "paid": ["wallet:5", "card:20", "wallet:3"],
            "recorded": 3,
            "sent": "sms to ana: wallet:5, ",
            "left": 2,
        },
    },
}
