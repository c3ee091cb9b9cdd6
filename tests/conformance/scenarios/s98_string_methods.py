"""The string methods a workflow uses to read an LLM's reply: `partition` on ':', `removeprefix`,
`splitlines`, `find`/`rfind`/`count`/`index`, `zfill` of an id, `ljust`/`rjust`/`center` for a report,
`isspace`, `isdigit` (Arabic-Indic digits too); on every target with Python's results (code points, Python's
line breaks, whitespace and digits), and Python's ValueError for `index` of a missing substring, caught by
`except ValueError`."""

from portaflow import Context, step, workflow


@step
def ask_llm(ticket: str) -> str:
    return (
        "DECISION: refund\r\n"
        "Reason: item arrived broken 😀; customer: Ada\n"
        "\u2028"
        "Tags: billing, urgent, billing\n"
        "Order: \u0661\u0662\u0663\n"
        "   \n"
    )


@workflow
def triage(ctx: Context, ticket: str, number: int) -> dict:
    reply = ask_llm(ticket)
    fields = {}
    blank = 0
    for line in reply.splitlines():
        if line.isspace() or line == "":
            blank += 1
            continue
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip().lower()] = value.strip()
    reason = fields.get("reason", "")
    head, _, customer = reason.rpartition("; customer: ")
    tags = fields.get("tags", "")
    try:
        missing = reason.index("missing")
    except ValueError as e:
        missing = str(e)
    ident = str(number).zfill(6)
    return {
        "id": "T-" + ident,
        "decision": fields.get("decision", "").removeprefix("re").removesuffix("und"),
        "customer": customer,
        "head": head,
        "smiley_at": reason.find("😀"),
        "last_comma": tags.rfind(","),
        "billing_count": tags.count("billing"),
        "urgent_after": tags.find("urgent", 3, -1),
        "missing": missing,
        "blank_lines": blank,
        "order_is_number": fields.get("order", "").isdigit(),
        "report": "|" + "Ada".ljust(6, ".") + "|" + ident.rjust(8) + "|" + "ok".center(7, "*") + "|",
    }


SCENARIO = {
    "input": {"ticket": "where is my money", "number": -42},
    "expect": {
        "status": "completed",
        "output": {
            "id": "T--00042",
            "decision": "f",
            "customer": "Ada",
            "head": "item arrived broken 😀",
            "smiley_at": 20,
            "last_comma": 15,
            "billing_count": 2,
            "urgent_after": 9,
            "missing": "substring not found",
            "blank_lines": 2,
            "order_is_number": True,
            "report": "|Ada...|  -00042|***ok**|",
        },
    },
}
