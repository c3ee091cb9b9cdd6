"""Cron schedules of workflows: ``@workflow(schedule="0 9 * * MON", timezone="Europe/Paris")``.

The expressions are croniter's (five fields, ``MON``-style names, ``*/15``, ranges and lists), read in the
schedule's IANA time zone (``zoneinfo``), so "9:00 on Mondays" stays 9:00 local across daylight-saving
changes. croniter is imported only by workflows that have a schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class Schedule:
    """A validated cron expression and the time zone it is read in."""

    cron: str
    timezone: str = "UTC"

    @classmethod
    def parse(cls, cron: object, timezone: object, what: str) -> Schedule:
        """Check both; ``ValueError`` naming ``what`` and the fix otherwise."""
        from croniter import croniter

        if not isinstance(cron, str) or not croniter.is_valid(cron) or len(cron.split()) != 5:
            raise ValueError(
                f"schedule of {what}: {cron!r} is not a cron expression; write five fields, minute hour "
                "day-of-month month day-of-week, e.g. '0 9 * * MON' (9:00 on Mondays) or '*/15 * * * *'"
            )
        if timezone is None:
            timezone = "UTC"
        try:
            if not isinstance(timezone, str):
                raise ValueError
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"timezone of {what}: {timezone!r} is not a time zone; write an IANA name such as "
                "'Europe/Paris', 'America/New_York' or 'UTC'"
            ) from None
        return cls(" ".join(cron.split()), timezone)

    def _local(self, instant: float) -> datetime:
        return datetime.fromtimestamp(instant, ZoneInfo(self.timezone))

    def next_tick(self, after: float) -> float:
        """The first tick strictly after ``after`` (epoch seconds)."""
        from croniter import croniter

        return float(croniter(self.cron, self._local(after)).get_next(float))

    def latest_tick(self, now: float) -> float:
        """The last tick at or before ``now``."""
        from croniter import croniter

        previous = float(croniter(self.cron, self._local(now)).get_prev(float))
        following = self.next_tick(previous)
        return following if following <= now else previous


def tick_id(workflow: str, tick: float) -> str:
    """The run id of a schedule's tick: ``<workflow>@<tick in ISO 8601, UTC>``, the same in every worker."""
    return f"{workflow}@{datetime.fromtimestamp(tick, UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"
