"""Module-level timedelta constants that scenario s175 imports (not a scenario)."""

from datetime import timedelta

APPROVAL_WINDOW = timedelta(hours=4)
REMINDER_AFTER = timedelta(minutes=90)
