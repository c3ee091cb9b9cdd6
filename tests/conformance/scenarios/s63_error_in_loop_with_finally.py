"""A KeyError raised inside a loop inside `try: ... finally:` stops the loop, runs the `finally` (with the
values assigned before the error) and reaches the outer handler; loop steps before the error ran once."""

from portaflow import Context, step, workflow


@step
def basket(n: int) -> list:
    return ["apple", "pear", "plum", "fig"][:n]


@step
def note(item: str, subtotal: int) -> str:
    return f"{item}:{subtotal}"


@step
def close(total: int) -> int:
    return total


@workflow
def checkout(ctx: Context, n: int) -> dict:
    prices = {"apple": 3, "pear": 4, "fig": 5}
    items = basket(n)
    total = 0
    seen = []
    try:
        try:
            for item in items:
                total += prices[item]
                seen.append(item)
                note(item, total)
        finally:
            close(total)
    except KeyError as e:
        return {"missing": str(e), "total": total, "seen": seen}
    return {"missing": None, "total": total, "seen": seen}


SCENARIO = {
    "input": {"n": 4},
    "expect": {
        "status": "completed",
        "output": {"missing": "'plum'", "total": 7, "seen": ["apple", "pear"]},
    },
}
