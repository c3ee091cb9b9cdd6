from __future__ import annotations
import json
from portaflow import Context, RetryPolicy, StepFailed, step, workflow

class ToolError(Exception):
    pass

@step(retry=RetryPolicy(max_attempts=2, non_retryable=[ToolError]))
def llm(history: list) -> dict:
    n = len(history)
    if n == 1:
        return {"tool": "search", "args": {"q": "weather"}}
    if n == 3:
        return {"tool": "calc", "args": {"expr": "2+2"}}
    if n == 5:
        return {"tool": "missing", "args": {}}
    return {"final": f"done after {n} messages"}

@step
def search(q: str) -> list:
    return [{"title": f"{q} {i}", "score": i * 0.5} for i in range(3)]

@step
def calc(expr: str) -> float:
    a, b = expr.split("+")
    return float(a) + float(b)

TOOLS = {"search": search, "calc": calc}

@workflow
def agent(ctx: Context, task: str, max_turns: int = 8) -> dict:
    history = [{"role": "user", "content": task}]
    usage = {}
    turns = 0
    while turns < max_turns:
        turns += 1
        reply = llm(history)
        if "final" in reply:
            break
        name = reply["tool"]
        usage[name] = usage.get(name, 0) + 1
        if name not in TOOLS:
            history.append({"role": "assistant", "content": f"unknown tool {name!r}"})
            history.append({"role": "tool", "content": "error"})
            continue
        try:
            out = TOOLS[name](**reply["args"])
        except StepFailed as e:
            out = {"error": e.message}
        history.append({"role": "assistant", "content": json.dumps(reply, sort_keys=True)})
        history.append({"role": "tool", "content": json.dumps(out)})
    best = max((h["content"] for h in history if h["role"] == "tool"), key=len, default="")
    counts = sorted(usage.items(), key=lambda kv: (-kv[1], kv[0]))
    roles = {}
    for h in history:
        roles.setdefault(h["role"], []).append(len(h["content"]))
    total = sum(len(h["content"]) for h in history)
    q, r = divmod(total, 7)
    return {"turns": turns, "final": reply.get("final"), "usage": counts, "best_len": len(best),
            "roles": {k: sum(v) for k, v in roles.items()}, "q": q, "r": r, "avg": round(total / len(history), 2),
            "last": history[-1]["content"][:10], "tags": "-".join(str(t) for t in range(3)) * 2}

SCENARIO = {"input": {"task": "plan my day"}, "expect": {"status": "completed"}}
