"""`isinstance(x, int)` of a step's result: Python tells the int 2 from the float 2.0, which a JSON number
(Step Functions) or a JavaScript number (Cloudflare) does not: refused there (PFC040, PFC060), Python's
answer locally and on Azure."""

from portaflow import Context, step, workflow


@step
def measure(sample: str):
    return 2.0


@workflow
def classify(ctx: Context, sample: str) -> dict:
    value = measure(sample)
    return {"whole": isinstance(value, int), "number": isinstance(value, (int, float))}


SCENARIO = {
    "input": {"sample": "s1"},
    "expect": {"status": "completed", "output": {"whole": False, "number": True}},
    "refuses": {"aws": "PFC040", "cloudflare": "PFC060"},
}
