"""`ctx.now()` as text and in comparisons agrees on every target: `str(t)` and `f"{t}"` are Python's
`isoformat(" ")` (`+00:00`, microseconds unless they are 0), two times compare as the instants do, and a copy
of a time is the same time. (On Step Functions the time is an ISO string; the uses that would not give
Python's result there are refused at compile time: s87.)"""

from portaflow import Context, step, workflow


@step
def work(n: int) -> int:
    return n + 1


@workflow
def text_and_order(ctx: Context, n: int) -> dict:
    t = ctx.now()
    r = work(n)
    u = ctx.now()
    same = t
    text = str(t)
    iso = t.isoformat()
    return {
        "r": r,
        "str_is_isoformat_with_a_space": text == iso.replace("T", " "),
        "fstring_is_str": f"at {t}!" == "at " + text + "!",
        "fstring_s_is_str": f"{u!s}" == str(u),
        "space": text[10],
        "zone": text[-6:],
        "ordered": [t <= u, u >= t, t < u or t == u, not (t > u)],
        "chained": t <= same <= u,
        "copy_is_equal": [same == t, same != t],
        "inline": str(ctx.now())[-6:],
    }


SCENARIO = {
    "input": {"n": 1},
    "expect": {
        "status": "completed",
        "output": {
            "r": 2,
            "str_is_isoformat_with_a_space": True,
            "fstring_is_str": True,
            "fstring_s_is_str": True,
            "space": " ",
            "zone": "+00:00",
            "ordered": [True, True, True, True],
            "chained": True,
            "copy_is_equal": [True, False],
            "inline": "+00:00",
        },
    },
}
