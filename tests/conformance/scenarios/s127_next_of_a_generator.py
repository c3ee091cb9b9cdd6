from portaflow import Context, step, workflow


@step
def rows() -> list:
    return [{"k": "a", "v": 1}, {"k": "b", "v": 0}, {"k": "c"}]


@workflow
def first_match(ctx: Context) -> dict:
    """next() of a generator: the first item or the default; the items after the first are not computed."""
    rs = rows()
    first_zero = next((r["k"] for r in rs if r["v"] == 0), None)
    none = next((r for r in rs if r["k"] == "z"), "missing")
    lists = next(([r["k"]] for r in rs if r["k"] > "a"), [])
    # the generator stops at the first match: r["v"] of the third row (a KeyError) is never computed
    try:
        bad = next((r["k"] for r in rs if r["v"] > 5), None)
    except KeyError as e:
        bad = f"KeyError {e}"
    early = next((r["k"] for r in rs if r["v"] < 5), None)  # found at the first row: row c is never read
    nested = next((f"{a}{b}" for a in "xy" for b in "12" if a + b == "y1"), "")
    return {
        "first_zero": first_zero,
        "none": none,
        "lists": lists,
        "bad": bad,
        "nested": nested,
        "early": early,
    }


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": {
            "first_zero": "b",
            "none": "missing",
            "lists": ["b"],
            "bad": "KeyError 'v'",
            "nested": "y1",
            "early": "a",
        },
    }
}
