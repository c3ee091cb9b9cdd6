"""A report every Monday at 9:00 in Paris, started by `portaflow worker examples/weekly_report.py`."""

from portaflow import Context, step, workflow


@step
def collect(week_of: str) -> dict:
    """Gathers the week's figures (a real report queries its database here)."""
    return {"week_of": week_of, "tickets": 42, "refunds": 3}


@step
def send_report(figures: dict, idempotency_key: str) -> str:
    """The mail provider deduplicates on the key: one mail per tick, even after a crash."""
    return f"sent report for the week of {figures['week_of']} ({idempotency_key})"


@workflow(schedule="0 9 * * MON", timezone="Europe/Paris", timeout="1d")
def weekly_report(ctx: Context) -> str:
    week_of = ctx.now().isoformat()[:10]
    figures = collect(week_of)
    return send_report(figures)
