"""Retry and except match by every class name in the error's MRO, for classes defined in another module
(the compiler never sees their bases) and for library errors (json.JSONDecodeError is a ValueError)."""

import json

from _pf_errors import CardExpired, Declined

from portaflow import Context, RetryPolicy, step, workflow


@step(retry=RetryPolicy(max_attempts=3, initial_interval="1s", non_retryable=[ValueError]))
def charge(amount: int) -> int:
    raise Declined(f"card declined for {amount}")


@step(retry=RetryPolicy(max_attempts=2, initial_interval="1s"))
def decode(text: str) -> dict:
    return json.loads(text)


@step(retry=RetryPolicy(max_attempts=3, initial_interval="1s", non_retryable=["Declined"]))
def renew(card: str) -> str:
    raise CardExpired(f"card {card} expired")


@workflow
def mro(ctx: Context) -> list:
    out = []
    try:
        charge(1)
    except ValueError as e:
        out.append(["value", e.type, str(e), e.attempts])
    try:
        decode("{")
    except ValueError as e:
        out.append(["json", type(e).__name__, e.attempts])
    try:
        renew("c1")
    except KeyError:
        out.append(["wrong", "KeyError"])
    except ValueError as e:
        out.append(["base first", e.type, str(e), e.attempts])
    except Declined:
        out.append(["wrong", "Declined"])
    try:
        renew("c2")
    except CardExpired as e:
        out.append(["own class", e.type])
    try:
        ctx.map(charge, [5, 6])
    except ValueError as e:
        out.append(["map", e.type, str(e)])
    return out


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": [
            ["value", "Declined", "card declined for 1", 1],
            ["json", "JSONDecodeError", 2],
            ["base first", "CardExpired", "card c1 expired", 1],
            ["own class", "CardExpired"],
            ["map", "Declined", "card declined for 5"],
        ],
    }
}
