"""`zip(xs, (10 // y for y in ys))` stops at its shortest input: Python never computes the generator's item
past it, so a division by zero there never happens. Step Functions and Cloudflare compute a generator's items
all at once: where one may raise, they refuse the call at compile time (PFC040, PFC060) rather than raise
where Python does not; a generator that cannot raise, and a list comprehension, compile everywhere."""

from portaflow import Context, workflow


@workflow
def shares(ctx: Context, xs: list, ys: list) -> dict:
    paired = [[x, q] for x, q in zip(xs, (10 // y for y in ys))]  # noqa: B905 - the shortest on purpose
    plain = [[x, y] for x, y in zip(xs, (y for y in ys))]  # noqa: B905
    return {"paired": paired, "plain": plain}


SCENARIO = {
    "input": {"xs": [1, 2], "ys": [5, 2, 0]},
    "refuses": {"aws": "PFC040", "cloudflare": "PFC060"},
    "expect": {
        "status": "completed",
        "output": {"paired": [[1, 2], [2, 5]], "plain": [[1, 5], [2, 2]]},
    },
}
