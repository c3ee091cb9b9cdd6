from portaflow import Context, step, workflow


@step
def square(n: int) -> int:
    return n * n


@step
def label(n: int, idempotency_key: str) -> str:
    return f"{n}:{idempotency_key.split(':')[1]}"


@workflow
def summarize(ctx: Context, values: list) -> str:
    s = label(sum(values))
    return s


@workflow
def rounds(ctx: Context, rounds: int) -> list:
    out = []
    for r in range(rounds):
        sq = ctx.map(square, [r, r + 1], max_concurrency=1)
        summary = summarize(ctx, sq)
        out.append(summary)
    return out


SCENARIO = {
    "workflow": "rounds",
    "input": {"rounds": 2},
    "expect": {"status": "completed", "output": ["1:1.0", "5:3.0"]},
}
