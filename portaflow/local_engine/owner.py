"""Who holds a run's lease, and whether that holder is still alive.

A dead owner on this host (SIGKILL, power loss of the process) is detected at once from its pid and
process start time (so a recycled pid is not mistaken for it); an owner on another host is trusted
until its lease expires.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass

_LIVE_IN_PROCESS: set[str] = set()


def _process_start(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[19] if len(fields) > 19 else None  # starttime, in clock ticks since boot


def _process_state(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


@dataclass(frozen=True)
class Owner:
    id: str
    host: str
    pid: int
    started: str | None

    @classmethod
    def new(cls) -> Owner:
        pid = os.getpid()
        owner = cls(id=uuid.uuid4().hex, host=socket.gethostname(), pid=pid, started=_process_start(pid))
        _LIVE_IN_PROCESS.add(owner.id)
        return owner

    def retire(self) -> None:
        _LIVE_IN_PROCESS.discard(self.id)


def owner_alive(owner_id: str, host: str | None, pid: int | None, started: str | None) -> bool | None:
    """True/False when it can be told from this host; None when only the lease can tell."""
    if host != socket.gethostname() or pid is None:
        return None
    if pid == os.getpid():
        return owner_id in _LIVE_IN_PROCESS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if _process_state(pid) in ("Z", "X"):
        return False
    if started is not None:
        current = _process_start(pid)
        if current is not None and current != started:
            return False
    return True
