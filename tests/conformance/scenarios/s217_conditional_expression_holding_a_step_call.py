"""`x = ask(q) if urgent else "later"`, `return A if c else B`: a statement binding or returning a
conditional expression whose operands hold step calls is the if statement it means: the test first, then
only the chosen operand's step (the other is never called), nested conditionals as elif; an IndexError of
the test comes before either step."""

from portaflow import Context, step, workflow


@step
def ask(q: str) -> str:
    return q.upper()


@step
def cheap(q: str) -> str:
    return q


@workflow
def triage_one(ctx: Context, q: str, urgent: bool, docs: list) -> dict:
    label = ask(q) if urgent else "later"
    other = "x" if urgent else ask("other")
    summary = ask(",".join(docs)) if docs else ""
    tier: str = ask("a") if len(q) > 5 else cheap("b") if q else "none"
    try:
        bad = ask(q) if docs[5] else "n"
    except IndexError as e:
        bad = f"IndexError {e}"
    final = ask("done") if summary else cheap("done")
    return {"label": label, "other": other, "summary": summary, "tier": tier, "bad": bad, "final": final}


@workflow
def conditionals(ctx: Context) -> list:
    first = triage_one("hello", True, ["a", "b"])
    second = triage_one("hello world", False, [])
    return [first, second]


SCENARIO = {
    "workflow": "conditionals",
    "expect": {
        "status": "completed",
        "output": [
            {
                "label": "HELLO",
                "other": "x",
                "summary": "A,B",
                "tier": "b",
                "bad": "IndexError list index out of range",
                "final": "DONE",
            },
            {
                "label": "later",
                "other": "OTHER",
                "summary": "",
                "tier": "A",
                "bad": "IndexError list index out of range",
                "final": "done",
            },
        ],
    },
}
