"""`t.weekday()`, `t.isoweekday()` and the fields of a datetime (`t.year` ... `t.microsecond`) on every
target, Step Functions included (computed from the instant's milliseconds there): they agree with the
datetime's `isoformat()` and `strftime`, and with the datetime a timedelta moved (a business-day rule)."""

from datetime import timedelta

from portaflow import Context, workflow


@workflow
def next_business_day(ctx: Context) -> dict:
    t = ctx.now()
    iso = t.isoformat()
    fields = [t.year, t.month, t.day, t.hour, t.minute, t.second]
    text = [int(iso[0:4]), int(iso[5:7]), int(iso[8:10]), int(iso[11:13]), int(iso[14:16]), int(iso[17:19])]
    day = t + timedelta(days=1)
    while day.weekday() >= 5:
        day = day + timedelta(days=1)
    names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    return {
        "fields": fields == text,
        "micro": t.microsecond == (int(iso[20:26]) if len(iso) > 25 else 0),
        "weekday": [names[t.weekday()] == t.strftime("%A"), t.isoweekday() == t.weekday() + 1],
        "business": [day.weekday() < 5, day > t, (day - t).days <= 3, 0 <= t.weekday() <= 6],
        "week": sorted({(t + timedelta(days=i)).weekday() for i in range(7)}),
    }


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": {
            "fields": True,
            "micro": True,
            "weekday": [True, True],
            "business": [True, True, True, True],
            "week": [0, 1, 2, 3, 4, 5, 6],
        },
    },
}
