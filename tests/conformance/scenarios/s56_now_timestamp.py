"""`ctx.now().timestamp()` (what `portaflow lint --fix` writes for `time.time()`) and `.isoformat()` agree on
every target: seconds since the epoch as a float, Python's ISO form with `+00:00`, and the two describe the
same instant. The time itself differs between runs, so only what follows from it is compared."""

from portaflow import Context, step, workflow


@step
def work(n: int) -> int:
    return n * 2


@workflow
def timed(ctx: Context, n: int) -> dict:
    start = ctx.now().timestamp()
    r = work(n)
    stamp = ctx.now()
    took = stamp.timestamp() - start
    ts = stamp.timestamp()
    iso = stamp.isoformat()
    whole = int(ts)
    nanos = int(ctx.now().timestamp() * 1_000_000_000)
    fields = [int(iso[11:13]), int(iso[14:16]), int(iso[17:19])]
    # (a separate statement: moto misreads a division before a regex in one JSONata expression)
    hms = [whole // 3600 % 24, whole // 60 % 60, whole % 60]
    return {
        "r": r,
        "recent": start > 1.7e9 and ts < 4e9,
        "ordered": took >= 0,
        "nanos": nanos >= whole * 1_000_000_000,
        "shape": [iso[4], iso[7], iso[10], iso[13], iso[16], iso[-6:]] == ["-", "-", "T", ":", ":", "+00:00"],
        "length": len(iso) in (25, 32),
        "same_instant": fields == hms,
        "fraction": (len(iso) == 25) == (ts == whole),
    }


SCENARIO = {
    "input": {"n": 21},
    "expect": {
        "status": "completed",
        "output": {
            "r": 42,
            "recent": True,
            "ordered": True,
            "nanos": True,
            "shape": True,
            "length": True,
            "same_instant": True,
            "fraction": True,
        },
    },
}
