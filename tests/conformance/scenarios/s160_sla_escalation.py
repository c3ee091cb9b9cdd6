"""An SLA check with datetime arithmetic agrees on every target: the age of a ticket is `ctx.now() - opened`
(a timedelta), its deadline `opened + timedelta(hours=4)`, and the ticket escalates once the age passes the
SLA; `.total_seconds()`, `.days`, `.seconds`, `str()` of a timedelta, datetime comparisons, fields and
`strftime` are Python's.
Time is virtual on every target (the sleep moves ctx.now() by exactly five hours). On Step Functions the time
is an ISO string in milliseconds and a timedelta its microseconds: the same results there.
"""

from datetime import timedelta

from portaflow import Context, step, workflow

SLA = timedelta(hours=4)


@step
def escalate(ticket: str, hours: str) -> str:
    return f"escalated {ticket} after {hours}"


@workflow
def sla_check(ctx: Context, ticket: str) -> dict:
    opened = ctx.now()
    due = opened + timedelta(hours=4)
    ctx.sleep("5h")
    now = ctx.now()
    age = now - opened
    hours = f"{age.total_seconds() / 3600:.1f}h"
    note = "within the SLA"
    if age > SLA:
        note = escalate(ticket, hours)
    return {
        "late": [now > due, due >= now, now - due == timedelta(hours=1)],
        "age": hours,
        "parts": [age.days, age.seconds, age.microseconds],
        "text": [str(age), str(age * 6), str(-age), f"{now - due}"],
        "ratio": [age / timedelta(minutes=30), age // timedelta(hours=2), str(age % timedelta(hours=2))],
        "back": (due - timedelta(hours=4)) == opened,
        "stamps": [
            opened.strftime("%Y-%m-%d %H:%M:%S") == str(opened)[:19],
            opened.strftime("%z %Z %%"),
            [int(now.strftime("%Y")), int(now.strftime("%m")), int(now.strftime("%H"))]
            == [now.year, now.month, now.hour],
            now.strftime("%b %d") == now.strftime("%B")[:3] + " " + now.strftime("%d"),
            f"{opened:%Y-%m-%d %H:%M:%S}" == str(opened)[:19],
        ],
        "note": note,
    }


SCENARIO = {
    "input": {"ticket": "T-7"},
    "expect": {
        "status": "completed",
        "output": {
            "late": [True, False, True],
            "age": "5.0h",
            "parts": [0, 18000, 0],
            "text": ["5:00:00", "1 day, 6:00:00", "-1 day, 19:00:00", "1:00:00"],
            "ratio": [10.0, 2, "1:00:00"],
            "back": True,
            "stamps": [True, "+0000 UTC %", True, True, True],
            "note": "escalated T-7 after 5.0h",
        },
    },
}
