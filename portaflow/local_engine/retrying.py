"""Which steps of a run are waiting out a retry delay, read from its history.

A run in backoff is stored as ``waiting`` with a ``wake_at``, like a sleeping one; without this, `status`
could not tell a user that a step is failing (Temporal's pending activity, with its last failure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from portaflow.local_engine.store import EventRow

# the events that end a step attempt; the last one recorded at a position says where that step stands
_ATTEMPT_KINDS = frozenset({"step_attempt_failed", "step_completed", "step_failed"})


@dataclass(frozen=True)
class PendingRetry:
    """A step whose last attempt failed and whose next one is due at ``retry_at``."""

    step: str
    key: str
    attempt: int  # the attempt that failed
    retry_at: float
    error: dict[str, Any]  # type and message of that attempt's error

    def to_json(self) -> dict[str, Any]:
        at = datetime.fromtimestamp(self.retry_at, UTC).isoformat().replace("+00:00", "Z")
        return {
            "step": self.step,
            "key": self.key,
            "failed_attempt": self.attempt,
            "retry_at": at,
            "error": self.error,
        }


def pending_retries(events: Iterable[EventRow]) -> tuple[PendingRetry, ...]:
    """The positions whose last attempt event is a failure with a retry still to come, in key order."""
    last: dict[str, EventRow] = {}
    for e in events:
        if e.kind in _ATTEMPT_KINDS and e.key is not None:
            last[e.key] = e
    out = []
    for key, e in last.items():
        retry_at = e.data.get("retry_at")
        if e.kind != "step_attempt_failed" or not isinstance(retry_at, int | float):
            continue
        error = e.data.get("error")
        brief = {k: error[k] for k in ("type", "message") if k in error} if isinstance(error, dict) else {}
        out.append(PendingRetry(e.name or "", key, int(e.data.get("attempt", 0)), float(retry_at), brief))
    return tuple(out)
