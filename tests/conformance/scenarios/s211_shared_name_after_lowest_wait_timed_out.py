"""Two map items wait for one event name; the lower one's wait times out first, so the event that comes
later goes to the other item (an event goes to an open wait that may still take it)."""

from portaflow import Context, step, workflow


@step
def settle(name: str, answer: str) -> str:
    return f"{name}: {answer}"


@workflow
def ask(ctx: Context, job: dict) -> str:
    answer = ctx.wait_for_event("answer", timeout=job["patience"])
    return settle(job["name"], "no answer" if answer is None else answer)


@workflow
def ask_both(ctx: Context, jobs: list) -> list:
    return ctx.map(ask, jobs)


SCENARIO = {
    "input": {"jobs": [{"name": "quick", "patience": "1h"}, {"name": "patient", "patience": "1d"}]},
    "actions": [["advance", "2h"], ["signal", "answer", "yes"]],
    "expect": {"status": "completed", "output": ["quick: no answer", "patient: yes"]},
}
