from portaflow import Context, step, workflow


@step
def validate(amount: float) -> float:
    return amount


@workflow
def checked(ctx: Context, amount: float) -> str:
    try:
        v = validate(amount)
        if v < 0:
            raise ValueError(f"negative amount {v}")
        return "ok"
    except ValueError as e:
        return f"invalid: {e}"


SCENARIO = {
    "input": {"amount": -5.0},
    "expect": {"status": "completed", "output": "invalid: negative amount -5.0"},
}
