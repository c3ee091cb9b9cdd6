"""Helpers and exceptions: a helper's `raise` caught by the workflow (Python's type and message), a
KeyError raised by an expression inside a helper, a helper that catches a step's failure itself, and a
`return` from inside a loop inside `try` whose `finally` calls a step before the helper returns."""

from portaflow import Context, RetryPolicy, StepFailed, step, workflow


@step(retry=RetryPolicy(max_attempts=1))
def flaky(n: int) -> int:
    if n < 0:
        raise ValueError(f"negative: {n}")
    return n * 10


@step
def log(text: str) -> str:
    return text


def require_positive(n):
    if n <= 0:
        raise ValueError(f"{n} is not positive")
    return n


def lookup(d, key):
    return d[key]


def safe_flaky(n):
    try:
        r = flaky(n)
    except StepFailed as e:
        return f"failed: {e.message}"
    return r


def first_even(xs):
    try:
        for x in xs:
            if x % 2 == 0:
                return x
        return None
    finally:
        log(f"scanned {len(xs)}")


@workflow
def helpers_raise(ctx: Context, n: int) -> dict:
    out = {}
    try:
        require_positive(n)
        out["positive"] = True
    except ValueError as e:
        out["positive"] = str(e)
    try:
        v = lookup({"a": 1}, "b")
        out["lookup"] = v
    except KeyError as e:
        out["lookup"] = f"KeyError {e}"
    ok = safe_flaky(3)
    bad = safe_flaky(n)
    out["flaky"] = [ok, bad]
    even = first_even([1, 3, 4, 5])
    none = first_even([1])
    out["even"] = [even, none]
    return out


SCENARIO = {
    "input": {"n": -2},
    "expect": {
        "status": "completed",
        "output": {
            "positive": "-2 is not positive",
            "lookup": "KeyError 'b'",
            "flaky": [30, "failed: negative: -2"],
            "even": [4, None],
        },
    },
}
