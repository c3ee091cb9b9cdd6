"""A webhook's payload checked field by field with `isinstance` over the JSON types: `dict`, `list`, `str`,
`bool`, `(int, float)` for any number, `tuple` (no value of the run is one: the workflow keeps no tuple),
`isinstance(True, int)` (a bool is an int in Python) and a float-typed step result (2.0 is a float); on every
target as in Python. (`isinstance(x, int)` of a value typed only at run time is refused on AWS and Cloudflare,
where 2.0 from a step is the number 2: tests/compiler/test_constructs.py.)"""

from portaflow import Context, step, workflow


@step
def fetch_payload(hook: str) -> dict:
    return {"id": "evt-1", "items": [{"sku": "a", "qty": 2}, "junk", 7], "total": 12.5, "paid": True,
            "note": None, "meta": {"retries": 0}}  # fmt: skip


@step
def ratio() -> float:
    return 2.0


@workflow
def classify(ctx: Context, hook: str) -> dict:
    payload = fetch_payload(hook)
    kinds = {}
    for key in payload:
        value = payload[key]
        if isinstance(value, bool):
            kinds[key] = "flag"
        elif isinstance(value, (int, float)):
            kinds[key] = "number"
        elif isinstance(value, str):
            kinds[key] = "text"
        elif isinstance(value, (list, tuple)):
            kinds[key] = "list"
        elif isinstance(value, dict):
            kinds[key] = "object"
        else:
            kinds[key] = "none"
    good = [item["sku"] for item in payload["items"] if isinstance(item, dict) and "sku" in item]
    r = ratio()
    paid = bool(payload["paid"])
    return {
        "kinds": kinds,
        "good": good,
        "bool_is_int": [isinstance(True, int), isinstance(paid, int), isinstance(paid, float)],
        "ratio_is_float": [isinstance(r, float), isinstance(r, int)],
        "is_tuple": isinstance(payload["items"], tuple),
    }


SCENARIO = {
    "input": {"hook": "orders"},
    "expect": {
        "status": "completed",
        "output": {
            "kinds": {
                "id": "text",
                "items": "list",
                "total": "number",
                "paid": "flag",
                "note": "none",
                "meta": "object",
            },
            "good": ["a"],
            "bool_is_int": [True, True, False],
            "ratio_is_float": [True, False],
            "is_tuple": False,
        },
    },
}
