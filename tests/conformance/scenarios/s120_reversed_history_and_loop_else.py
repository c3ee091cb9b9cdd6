"""An inbox's history read newest first: `reversed()` of a step's list and of a str, slices with negative and
positive steps (`[::-1]`, `[::2]`, `[-2::-1]`), a `for ... else` search whose `else` runs only when no
`break` ran (also with a `break` inside a nested loop, which does not count), a `while ... else`, and
Python's ValueError for a slice step of 0, caught by `except ValueError`; on every target as in Python."""

from portaflow import Context, step, workflow


@step
def load_history(inbox: str) -> list:
    return [
        {"id": "m1", "from": "ada", "subject": "hello"},
        {"id": "m2", "from": "bob", "subject": "invoice 42"},
        {"id": "m3", "from": "ada", "subject": "re: invoice"},
        {"id": "m4", "from": "cy", "subject": "lunch?"},
    ]


@step
def is_urgent(subject: str) -> bool:
    return "invoice" in subject


@workflow
def triage(ctx: Context, inbox: str, zero: int) -> dict:
    history = load_history(inbox)
    newest_first = [m["id"] for m in reversed(history)]
    first_urgent = None
    for m in reversed(history):
        for c in m["subject"]:
            if c == "?":
                break
        urgent = is_urgent(m["subject"])
        if urgent:
            first_urgent = m["id"]
            break
    else:
        first_urgent = "none"
    missing = ""
    for m in history:
        if m["from"] == "dan":
            missing = m["id"]
            break
    else:
        missing = "no mail from dan"
    countdown = []
    n = 3
    while n > 0:
        countdown.append(n)
        n -= 1
    else:
        countdown.append("liftoff")
    try:
        bad = history[::zero]
    except ValueError as e:
        bad = str(e)
    return {
        "newest_first": newest_first,
        "first_urgent": first_urgent,
        "missing": missing,
        "countdown": countdown,
        "every_other": [m["id"] for m in history[::2]],
        "back_from_second_last": [m["id"] for m in history[-2::-1]],
        "subject_backwards": history[0]["subject"][::-1],
        "senders_backwards": "".join(reversed("ada😀bob")),
        "odd_letters": "invoice 42"[1::3],
        "step_zero": bad,
    }


SCENARIO = {
    "input": {"inbox": "support", "zero": 0},
    "expect": {
        "status": "completed",
        "output": {
            "newest_first": ["m4", "m3", "m2", "m1"],
            "first_urgent": "m3",
            "missing": "no mail from dan",
            "countdown": [3, 2, 1, "liftoff"],
            "every_other": ["m1", "m3"],
            "back_from_second_last": ["m3", "m2", "m1"],
            "subject_backwards": "olleh",
            "senders_backwards": "bob😀ada",
            "odd_letters": "ni ",
            "step_zero": "slice step cannot be zero",
        },
    },
}
