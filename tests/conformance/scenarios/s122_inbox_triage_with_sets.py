"""Inbox triage that skips messages already seen: a set of seen ids grown with `seen.add(id)` and tested
with `in`, a set display of blocked senders, a set comprehension of labels measured with `len()` and listed
with `sorted()`, `not seen` on an empty set, `{*a, *b}`, `[*a, *b]` and `{**a, **b}` to build the report,
`any()`/`all()` over generators and `enumerate(xs, 1)`; on every target as in Python (a set's own order never
shows: iterating one is refused, tests/compiler/test_constructs.py)."""

from portaflow import Context, step, workflow


@step
def fetch_batch(inbox: str, page: int) -> list:
    pages = [
        [
            {"id": "m1", "from": "ada", "labels": ["work", "urgent"]},
            {"id": "m2", "from": "spam", "labels": []},
        ],
        [{"id": "m1", "from": "ada", "labels": ["work"]}, {"id": "m3", "from": "bob", "labels": ["home"]}],
    ]
    return pages[page]


@step
def file_message(message_id: str, folder: str) -> str:
    return f"{message_id}->{folder}"


@workflow
def triage(ctx: Context, inbox: str, defaults: dict) -> dict:
    seen = set()
    blocked = {"spam", "phish"}
    fresh_at_start = not seen
    filed = []
    skipped = []
    labels = []
    for page in range(2):
        batch = fetch_batch(inbox, page)
        for m in batch:
            if m["id"] in seen or m["from"] in blocked:
                skipped.append(m["id"])
                continue
            seen.add(m["id"])
            labels = [*labels, *list(m["labels"])]  # a value typed at run time: list() first
            folder = "priority" if any(label == "urgent" for label in m["labels"]) else "inbox"
            done = file_message(m["id"], folder)
            filed.append(done)
    distinct = {label.upper() for label in labels}
    numbered = [f"{i}. {f}" for i, f in enumerate(filed, 1)]
    report = {**defaults, "filed": len(filed), **{"inbox": inbox}}
    return {
        "fresh_at_start": fresh_at_start,
        "seen": sorted(seen),
        "seen_count": len(seen),
        "skipped": skipped,
        "labels": sorted(distinct),
        "label_count": len(distinct),
        "everyone": sorted({*blocked, *["ada", "bob"]}),
        "all_short": all(len(i) == 2 for i in sorted(seen)),
        "numbered": numbered,
        "report": report,
    }


SCENARIO = {
    "input": {"inbox": "support", "defaults": {"owner": "ops", "filed": 0}},
    "expect": {
        "status": "completed",
        "output": {
            "fresh_at_start": True,
            "seen": ["m1", "m3"],
            "seen_count": 2,
            "skipped": ["m2", "m1"],
            "labels": ["HOME", "URGENT", "WORK"],
            "label_count": 3,
            "everyone": ["ada", "bob", "phish", "spam"],
            "all_short": True,
            "numbered": ["1. m1->priority", "2. m3->inbox"],
            "report": {"owner": "ops", "filed": 2, "inbox": "support"},
        },
    },
}
