"""Workflow time. The engine reads time only through a clock so tests can skip days in milliseconds.

Leases and step timeouts always use real time: they guard processes, not workflow logic.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Protocol

from portaflow.dsl.durations import Duration, parse_duration


class Clock(Protocol):
    virtual: bool

    def now(self) -> float:
        """Seconds since the epoch, workflow time."""
        ...

    def wait_until(self, deadline: float, interrupt: threading.Event) -> bool:
        """Block until ``deadline`` (workflow time) or until ``interrupt`` is set; True if interrupted."""
        ...


class SystemClock:
    """Real time."""

    virtual = False

    def now(self) -> float:
        return time.time()

    def wait_until(self, deadline: float, interrupt: threading.Event) -> bool:
        while True:
            remaining = deadline - time.time()
            if remaining <= 0:
                return interrupt.is_set()
            if interrupt.wait(min(remaining, 1.0)):
                return True


class VirtualClock:
    """Time that moves only when told to, or jumps ahead to a timer when the engine waits on one.

    Like Temporal's time-skipping test server: ``ctx.sleep("30d")`` completes at once, and
    ``Engine.advance("3d")`` moves time forward so event timeouts fire.
    """

    virtual = True

    def __init__(self, start: datetime | float | None = None) -> None:
        if start is None:
            self._now = time.time()
        elif isinstance(start, datetime):
            self._now = (start if start.tzinfo else start.replace(tzinfo=UTC)).timestamp()
        else:
            self._now = float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def advance(self, duration: Duration) -> float:
        """Move time forward by ``duration``; returns the new time."""
        seconds = parse_duration(duration, what="advance duration")
        with self._lock:
            self._now += seconds
            return self._now

    def advance_to(self, instant: float) -> None:
        with self._lock:
            self._now = max(self._now, instant)

    def wait_until(self, deadline: float, interrupt: threading.Event) -> bool:
        if interrupt.is_set():
            return True
        self.advance_to(deadline)
        return False
