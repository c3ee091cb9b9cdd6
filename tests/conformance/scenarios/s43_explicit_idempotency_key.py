from portaflow import Context, step, workflow


@step
def pay(amount: int, idempotency_key: str) -> str:
    return f"{amount} with {idempotency_key}"


@workflow
def explicit_key(ctx: Context, order: str) -> list:
    a = pay(1)
    b = pay(2, idempotency_key=f"order-{order}")
    c = pay(3)
    return [a, b, c]


SCENARIO = {
    "run_id": "r7",
    "input": {"order": "o9"},
    "expect": {"status": "completed", "output": ["1 with r7:0", "2 with order-o9", "3 with r7:2"]},
}
