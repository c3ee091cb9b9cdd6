from __future__ import annotations
from portaflow import Context, StepFailed, RetryPolicy, step, workflow

class Transient(Exception): ...

@step
def make_plan(goal: str) -> list[dict]:
    return [{"id": i, "action": a, "deps": [] if i == 0 else [i - 1]} for i, a in enumerate(goal.split())]

@step(retry=RetryPolicy(max_attempts=3, initial_interval="2s", retry_on=[Transient]))
def execute(action: str, attempt_note: str) -> dict:
    if action == "fail":
        raise ValueError(f"cannot {action}")
    return {"action": action, "ok": True, "note": attempt_note.strip()}

@workflow
def run_task(ctx: Context, task: dict, context: str) -> dict:
    out = execute(task["action"], f"  ctx={context}  ")
    return {**out, "id": task["id"]}

@workflow
def plan_execute(ctx: Context, goal: str) -> dict:
    plan = make_plan(goal)
    done: dict[int, dict] = {}
    failed = []
    for task in plan:
        if any(d not in done for d in task["deps"]):
            failed.append({"id": task["id"], "why": "blocked"})
            continue
        try:
            done[task["id"]] = run_task(ctx, task, ",".join(str(d) for d in task["deps"]))
        except StepFailed as e:
            failed.append({"id": task["id"], "why": f"{e.type}: {e.message}", "attempts": e.attempts})
    ok = [v["action"] for k, v in sorted(done.items())]
    return {"ok": ok, "failed": failed, "ratio": f"{len(ok)}/{len(plan)}", "first": ok[0] if ok else None}

SCENARIO = {"input": {"goal": "search read fail write"}, "expect": {"status": "completed"}}
