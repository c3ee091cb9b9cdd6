"""Fan-out nested two levels deep: each map item is a child workflow running a ctx.parallel whose first
branch waits for the item's event and whose second branch loops over steps; the run waits for both
items' events at once (issue 12)."""

from portaflow import Context, step, workflow


@step
def check(source: str, n: int) -> str:
    return f"{source} check {n}"


@workflow
def vet(ctx: Context, source: str) -> dict:
    def verdict() -> str:
        answer = ctx.wait_for_event("vet:" + source)
        return answer["verdict"]

    def checks() -> list:
        out = []
        for n in range(2):
            out.append(check(source, n))
        return out

    v, c = ctx.parallel(verdict, checks)
    return {"source": source, "verdict": v, "checks": c}


@workflow
def research(ctx: Context, sources: list) -> list:
    return ctx.map(vet, sources)


SCENARIO = {
    "input": {"sources": ["wiki", "paper"]},
    "actions": [["signal", "vet:paper", {"verdict": "keep"}], ["signal", "vet:wiki", {"verdict": "drop"}]],
    "expect": {
        "status": "completed",
        "output": [
            {"source": "wiki", "verdict": "drop", "checks": ["wiki check 0", "wiki check 1"]},
            {"source": "paper", "verdict": "keep", "checks": ["paper check 0", "paper check 1"]},
        ],
    },
}
