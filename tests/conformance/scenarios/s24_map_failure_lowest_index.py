from portaflow import Context, RetryPolicy, step, workflow


@step(retry=RetryPolicy(max_attempts=2, initial_interval="1s"))
def process(n: int) -> int:
    if n % 3 == 0:
        raise ArithmeticError(f"cannot process {n}")
    return n * 10


@workflow
def batch(ctx: Context, items: list) -> dict:
    try:
        out = ctx.map(process, items)
    except ArithmeticError as e:
        return {"failed": str(e)}
    return {"out": out}


SCENARIO = {
    "input": {"items": [1, 6, 2, 3, 4]},
    "expect": {"status": "completed", "output": {"failed": "cannot process 6"}},
}
