from portaflow import Context, workflow, step
@step
def ids() -> list:
    return [3, 1, 2]
@workflow
def w(ctx: Context) -> dict:
    a = {1: "x", 2: "y"}
    b = {}
    for i in ids():
        b[i] = i * 2
    c = {i: str(i) for i in ids()}
    return {"a": a[1], "b": sorted(b), "c": c.get(3), "n": len(b), "has": 2 in b}
SCENARIO = {"expect": {"status": "completed"}}
