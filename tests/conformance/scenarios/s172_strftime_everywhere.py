"""`t.strftime(format)` and `f"{t:%d %B %Y}"` on every target, Step Functions included (there ctx.now() is
an ISO string: each directive is computed from its milliseconds, CPython's C-locale text): the fields agree
with `isoformat()`, the names with the weekday and month, `%I`/`%p` with `%H`, `%j` with the day of the
year."""

from portaflow import Context, workflow

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]  # fmt: skip


@workflow
def stamp(ctx: Context) -> dict:
    t = ctx.now()
    iso = t.isoformat()
    hour = int(t.strftime("%H"))
    twelve = int(t.strftime("%I"))
    month = int(t.strftime("%m"))
    day_of_year = int(t.strftime("%j"))
    return {
        "date": t.strftime("%Y-%m-%d") == iso[:10] and f"{t:%Y-%m-%d}" == iso[:10],
        "time": t.strftime("%H:%M:%S") == iso[11:19],
        "micro": t.strftime("%f") == (iso[20:26] if len(iso) > 25 else "000000"),
        "two_digit_year": t.strftime("%y") == t.strftime("%Y")[2:],
        "names": [
            t.strftime("%A") in DAYS,
            t.strftime("%a") == t.strftime("%A")[:3],
            t.strftime("%B") == MONTHS[month - 1],
            t.strftime("%b") == MONTHS[month - 1][:3],
        ],
        "twelve_hour": [twelve == (hour % 12 or 12), t.strftime("%p") == ("AM" if hour < 12 else "PM")],
        "day_of_year": 1 <= day_of_year <= 366 and len(t.strftime("%j")) == 3,
        "zone": t.strftime("%z %Z %%"),
        "text": len(f"{t:%d %B %Y, %I:%M %p}") > 15,
    }


SCENARIO = {
    "expect": {
        "status": "completed",
        "output": {
            "date": True,
            "time": True,
            "micro": True,
            "two_digit_year": True,
            "names": [True, True, True, True],
            "twelve_hour": [True, True],
            "day_of_year": True,
            "zone": "+0000 UTC %",
            "text": True,
        },
    },
}
