from portaflow import Context, step, workflow


@step
def classify(n: int) -> str:
    return "big" if n > 100 else "small"


@workflow
def branches(ctx: Context, values: list) -> list:
    out = []
    for v in values:
        if v < 0:
            out.append("negative")
        elif v == 0:
            out.append("zero")
        else:
            label = classify(v)
            out.append(label)
    return out


SCENARIO = {
    "input": {"values": [-1, 0, 5, 500]},
    "expect": {"status": "completed", "output": ["negative", "zero", "small", "big"]},
}
