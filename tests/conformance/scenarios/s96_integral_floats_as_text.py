"""An integral float prints as Python prints it (`115.0`) where the IR knows it is a float: a step declared
`-> float`, a float parameter, arithmetic that makes a float (JSON numbers on Step Functions do not keep
`.0`, so the AWS lowering adds it back where the type is known)."""

from portaflow import Context, step, workflow


@step
def price(item: str) -> float:
    return {"lamp": 115.0, "bulb": 2.5}[item]


@workflow
def quote(ctx: Context, qty: int, rate: float = 2.0) -> dict:
    p = price("lamp")
    total = p * qty
    half = total / 2
    return {
        "str": str(p),
        "fstring": f"{p} x {qty} = {total}",
        "half": f"half: {half}",
        "rate": str(rate),
        "sum": str(p + 5.0),
    }


SCENARIO = {
    "input": {"qty": 2},
    "expect": {
        "status": "completed",
        "output": {
            "str": "115.0",
            "fstring": "115.0 x 2 = 230.0",
            "half": "half: 115.0",
            "rate": "2.0",
            "sum": "120.0",
        },
    },
}
