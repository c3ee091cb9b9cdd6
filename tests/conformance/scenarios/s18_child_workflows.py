from portaflow import Context, step, workflow


@step
def tag(label: str, idempotency_key: str) -> str:
    return f"{label}@{idempotency_key.split(':')[1]}"


@workflow
def grandchild(ctx: Context, label: str) -> str:
    return tag(label)


@workflow
def child(ctx: Context, label: str) -> list:
    a = tag(label)
    b = grandchild(ctx, label + "!")
    return [a, b]


@workflow
def parent(ctx: Context) -> list:
    first = tag("p")
    inner = child(ctx, "c")
    last = tag("q")
    return [first, inner, last]


SCENARIO = {
    "workflow": "parent",
    "expect": {"status": "completed", "output": ["p@0", ["c@1.0", "c!@1.1.0"], "q@2"]},
}
