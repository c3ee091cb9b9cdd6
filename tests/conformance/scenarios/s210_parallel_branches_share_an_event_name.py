"""Two parallel branches wait for one event name; the second branch began waiting first (the first calls
a step before it waits), yet the first event goes to the first branch: position, not arrival, decides
(Durable Functions' own rule would give it to the newest wait)."""

from portaflow import Context, step, workflow


@step
def prepare(what: str) -> str:
    return f"{what} ready"


@workflow
def two_desks(ctx: Context) -> dict:
    def desk_a() -> list:
        ready = prepare("a")
        return [ready, ctx.wait_for_event("customer")]

    def desk_b() -> list:
        return ["b waiting", ctx.wait_for_event("customer")]

    a, b = ctx.parallel(desk_a, desk_b)
    return {"a": a, "b": b}


SCENARIO = {
    "input": {},
    "actions": [["signal", "customer", "first"], ["signal", "customer", "second"]],
    "expect": {"status": "completed", "output": {"a": ["a ready", "first"], "b": ["b waiting", "second"]}},
}
