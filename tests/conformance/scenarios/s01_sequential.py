from portaflow import Context, step, workflow


@step
def fetch(user: str) -> dict:
    return {"user": user, "items": [1, 2, 3]}


@step
def total(items: list) -> int:
    return sum(items)


@workflow
def sequential(ctx: Context, user: str) -> dict:
    data = fetch(user)
    t = total(data["items"])
    return {"user": data["user"], "total": t}


SCENARIO = {
    "input": {"user": "ann"},
    "expect": {"status": "completed", "output": {"user": "ann", "total": 6}},
}
