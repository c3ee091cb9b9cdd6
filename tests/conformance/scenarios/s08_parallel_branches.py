from portaflow import Context, step, workflow


@step
def price(item: str) -> float:
    return {"a": 1.5, "b": 2.25}[item]


@step
def stock(item: str) -> int:
    return {"a": 3, "b": 0}[item]


@workflow
def quote(ctx: Context, item: str) -> dict:
    def availability():
        s = stock(item)
        other = stock("a")
        return s + other

    p, s = ctx.parallel(lambda: price(item), availability)
    return {"price": p, "stock": s}


SCENARIO = {"input": {"item": "b"}, "expect": {"status": "completed", "output": {"price": 2.25, "stock": 3}}}
