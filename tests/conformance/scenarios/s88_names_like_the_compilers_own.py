"""Variables named like the compiler's or a backend's own are ordinary names on every target: a child
workflow's locals `ret`, `seq`, `prefix` (once AWS's own names in a child's scope, which they silently
overwrote), a branch's `err` and `cond`, and names starting with `pf_` (once refused, PFC036)."""

from portaflow import Context, step, workflow


@step
def bump(n: int) -> int:
    return n + 1


@workflow
def child(ctx: Context, n: int) -> int:
    seq = 100
    ret = bump(n)
    prefix = "pre"
    return ret + seq + len(prefix)


@workflow
def names(ctx: Context, n: int, pf_in: int) -> dict:
    pf_ret = child(ctx, n)
    pf_h1 = bump(pf_ret)
    pf_v_string = "mangled"
    string = "plain"

    def left() -> int:
        err = bump(n)
        cond = err > 1
        return err * 10 if cond else err

    def right() -> int:
        seq = bump(pf_in)
        return seq

    both = ctx.parallel(left, right)
    return {"child": pf_ret, "again": pf_h1, "text": [pf_v_string, string], "both": both, "pf_in": pf_in}


SCENARIO = {
    "input": {"n": 1, "pf_in": 7},
    "expect": {
        "status": "completed",
        "output": {"child": 105, "again": 106, "text": ["mangled", "plain"], "both": [20, 8], "pf_in": 7},
    },
}
