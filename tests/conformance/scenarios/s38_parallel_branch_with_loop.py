from portaflow import Context, step, workflow


@step
def score(item: str) -> int:
    return len(item)


@step
def flag(item: str) -> bool:
    return item.startswith("x")


@workflow
def review(ctx: Context, items: list) -> dict:
    def scores():
        total = 0
        for it in items:
            s = score(it)
            if s > 1:
                total = total + s
        return total

    def flags():
        first = flag(items[0])
        last = flag(items[-1])
        return [first, last]

    total, fl, n = ctx.parallel(scores, flags, lambda: len(items))
    return {"total": total, "flags": fl, "n": n}


SCENARIO = {
    "input": {"items": ["xa", "b", "ccc", "xd"]},
    "expect": {"status": "completed", "output": {"total": 7, "flags": [True, True], "n": 4}},
}
