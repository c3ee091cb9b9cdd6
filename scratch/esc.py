from __future__ import annotations
from portaflow import Context, EventTimeout, step, workflow

@step
def notify(who: str, msg: str) -> None:
    return None

@step
def apply_change(req: dict) -> str:
    return f"applied {req['id']}"

APPROVERS = ["lead", "manager", "director"]

@workflow
def escalate(ctx: Context, req: dict) -> dict:
    started = ctx.now()
    decision = None
    for level, who in enumerate(APPROVERS, start=1):
        notify(who, f"Please approve {req['id']} (level {level})")
        try:
            decision = ctx.wait_for_event("decision", timeout="1d", raise_on_timeout=True)
        except EventTimeout:
            continue
        if decision.get("approved"):
            break
        return {"status": "rejected", "by": who, "reason": decision.get("reason", "n/a")}
    else:
        return {"status": "expired", "levels": len(APPROVERS)}
    waited = (ctx.now() - started).total_seconds()
    result = apply_change(req)
    return {"status": "approved", "by": decision["by"], "waited_h": round(waited / 3600, 1), "result": result}

SCENARIO = {"input": {"req": {"id": "R7"}}, "actions": [["advance", "1d"], ["advance", "5h"], ["signal", "decision", {"approved": True, "by": "manager"}]], "expect": {"status": "completed"}}
