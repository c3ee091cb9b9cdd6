"""Issue 11, a realistic agent: inbox triage as users write it. A queue of messages worked off with
pop(0), an LLM-like step classifying each (its prompt a json.dumps with sort_keys), the results grouped with
setdefault(...).append, each group sorted in place by priority, counts per label, escalations inserted at
the head of a follow-up list, the busiest label by max(counts, key=counts.get)."""

import json

from portaflow import Context, step, workflow


@step
def fetch_inbox(limit: int) -> list:
    subjects = ["Invoice overdue", "App crashes on login", "Feature: dark mode", "Refund please", "Hello"]
    return [{"id": f"m{i}", "subject": s, "vip": i % 2 == 0} for i, s in enumerate(subjects[:limit])]


@step
def classify(prompt: str) -> dict:
    msg = json.loads(prompt)
    text = msg["subject"].lower()
    for label, words in (("billing", ("invoice", "refund")), ("bug", ("crash",)), ("feature", ("feature",))):
        if any(w in text for w in words):
            return {"label": label, "priority": 1 if msg["vip"] else 2}
    return {"label": "other", "priority": 3}


@workflow
def triage(ctx: Context, limit: int = 5) -> dict:
    queue = fetch_inbox(limit)
    groups = {}
    counts = {}
    follow_up = []
    while queue:
        msg = queue.pop(0)
        verdict = classify(json.dumps(msg, sort_keys=True))
        label = verdict["label"]
        groups.setdefault(label, []).append({"id": msg["id"], "priority": verdict["priority"]})
        counts[label] = counts.get(label, 0) + 1
        if verdict["priority"] == 1:
            follow_up.insert(0, msg["id"])
        elif label != "other":
            follow_up.append(msg["id"])
    for label in groups:
        groups[label].sort(key=lambda m: (m["priority"], m["id"]))
    busiest = max(counts, key=counts.get)
    summary = json.dumps(counts, sort_keys=True, indent=2)
    return {"groups": groups, "follow_up": follow_up, "busiest": busiest, "summary": summary}


SCENARIO = {
    "workflow": "triage",
    "expect": {
        "status": "completed",
        "output": {
            "groups": {
                "billing": [{"id": "m0", "priority": 1}, {"id": "m3", "priority": 2}],
                "bug": [{"id": "m1", "priority": 2}],
                "feature": [{"id": "m2", "priority": 1}],
                "other": [{"id": "m4", "priority": 3}],
            },
            "follow_up": ["m2", "m0", "m1", "m3"],
            "busiest": "billing",
            "summary": '{\n  "billing": 2,\n  "bug": 1,\n  "feature": 1,\n  "other": 1\n}',
        },
    },
}
