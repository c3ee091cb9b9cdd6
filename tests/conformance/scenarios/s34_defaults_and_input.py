from portaflow import Context, step, workflow


@step
def greet(name: str, punct: str = "!") -> str:
    return f"hi {name}{punct}"


@workflow
def defaults(ctx: Context, name: str, times: int = 2, extra: dict | None = None) -> dict:
    if extra is None:
        extra = {"k": [1]}
    out = []
    for _ in range(times):
        g = greet(name)
        out.append(g)
    q = greet(name, punct="?")
    return {"out": out, "q": q, "extra": extra}


SCENARIO = {
    "input": {"name": "bo"},
    "expect": {
        "status": "completed",
        "output": {"out": ["hi bo!", "hi bo!"], "q": "hi bo?", "extra": {"k": [1]}},
    },
}
