from __future__ import annotations
from dataclasses import dataclass
from portaflow import Context, RetryPolicy, step, workflow

LABELS = ("billing", "bug", "feature", "other")
PRIORITY = {"billing": 1, "bug": 2, "feature": 3, "other": 4}

@step(retry=RetryPolicy(max_attempts=3))
def classify(text: str) -> dict:
    t = text.lower()
    for label in LABELS:
        if label in t:
            return {"label": label, "confidence": 0.9}
    return {"label": "other", "confidence": 0.4}

@step
def route(ticket_id: str, queue: str) -> str:
    return f"{ticket_id}->{queue}"

def score(label: str, confidence: float) -> int:
    base = PRIORITY.get(label, 5)
    if confidence < 0.5:
        base += 1
    return base

@workflow
def triage(ctx: Context, tickets: list[dict]) -> dict:
    routed = []
    low = 0
    for t in sorted(tickets, key=lambda t: t["id"]):
        c = classify(t["text"])
        p = score(c["label"], c["confidence"])
        if p > 3:
            low += 1
            continue
        routed.append(route(t["id"], c["label"].upper()))
    summary = ", ".join(routed) if routed else "none"
    pct = low / len(tickets) if tickets else 0.0
    return {"routed": routed, "summary": summary, "low_share": f"{pct:.1%}", "count": len(routed)}

SCENARIO = {"input": {"tickets": [{"id": "b", "text": "Billing issue"}, {"id": "a", "text": "a BUG here"}, {"id": "c", "text": "hello"}, {"id": "d", "text": "feature please"}]}, "expect": {"status": "completed"}}
