"""Datetime and timedelta arithmetic agrees on every target, Step Functions included (there a timedelta is
its whole microseconds, a number, and a datetime `$now()`'s ISO string in milliseconds): `u - t`, `t + td`,
`td +- td`, `td * n`, `td / n` (half to even), `td / td`, `td // td`, `td % td`, `-td`, `abs(td)`, the
attributes, `str(td)`, comparisons, truth, a module-level constant, Python's ZeroDivisionError."""

from datetime import timedelta

from portaflow import Context, step, workflow

SLA = timedelta(hours=4)


@step
def escalate(ticket: str, hours: float) -> str:
    return f"escalated {ticket} after {hours:.1f}h"


@workflow
def sla_clock(ctx: Context, ticket: str, n: int) -> dict:
    opened = ctx.now()
    due = opened + SLA
    ctx.sleep("5h")
    now = ctx.now()
    age = now - opened
    late = age - SLA
    note = "on time"
    if now > due:
        note = escalate(ticket, age.total_seconds() / 3600)
    odd = timedelta(days=-1, seconds=5, microseconds=7)
    split = SLA / 7
    problem = ""
    try:
        problem = str(SLA // (n - 3))
    except ZeroDivisionError as e:
        problem = str(e)
    return {
        "age": [str(age), age.days, age.seconds, age.microseconds, age.total_seconds()],
        "late": [str(late), late > timedelta(0), bool(late - late), str(-late), str(abs(-late))],
        "odd": [str(odd), odd.days, odd.seconds, odd.microseconds, str(odd * n), str(odd // n)],
        "split": [str(split), str(split * 7), SLA / timedelta(minutes=7), SLA // timedelta(minutes=7)],
        "rest": str(SLA % timedelta(minutes=7)),
        "order": [age >= SLA, due < now, due + late == now - SLA + late, now - timedelta(hours=5) == opened],
        "f": f"late by {late}",
        "note": note,
        "problem": problem,
    }


SCENARIO = {
    "input": {"ticket": "T-7", "n": 3},
    "expect": {
        "status": "completed",
        "output": {
            "age": ["5:00:00", 0, 18000, 0, 18000.0],
            "late": ["1:00:00", True, False, "-1 day, 23:00:00", "1:00:00"],
            "odd": ["-1 day, 0:00:05.000007", -1, 5, 7, "-3 days, 0:00:15.000021", "-1 day, 16:00:01.666669"],
            "split": ["0:34:17.142857", "3:59:59.999999", 34.285714285714285, 34],
            "rest": "0:02:00",
            "order": [True, True, False, True],
            "f": "late by 1:00:00",
            "note": "escalated T-7 after 5.0h",
            "problem": "integer division or modulo by zero",
        },
    },
}
