from portaflow import Context, step, workflow


@step
def balance(account: str) -> int:
    return -5


@workflow
def check(ctx: Context, account: str) -> int:
    b = balance(account)
    assert b >= 0, f"balance of {account} is {b}"
    return b


SCENARIO = {
    "input": {"account": "acc-1"},
    "expect": {"status": "failed", "error": {"type": "AssertionError", "message": "balance of acc-1 is -5"}},
}
