from portaflow import Context, step, workflow


@step
def probe(i: int) -> int:
    return i * i


@workflow
def loop(ctx: Context, limit: int) -> dict:
    i = 0
    seen = []
    while True:
        i += 1
        if i % 2 == 0:
            continue
        sq = probe(i)
        if sq > limit:
            break
        seen.append(sq)
    return {"i": i, "seen": seen}


SCENARIO = {"input": {"limit": 30}, "expect": {"status": "completed", "output": {"i": 7, "seen": [1, 9, 25]}}}
