"""Starting the runs of scheduled workflows, from the worker loop.

Each tick has a deterministic run id, ``<workflow>@<tick ISO UTC>``, and is started in one transaction that
also records it as the schedule's last started tick, so several workers sharing a database start it exactly
once, and a pruned run is not started again. Missed ticks (no worker ran at the time): only the latest one
starts, late, when a worker next runs, and only if it is not older than the schedule (when a worker first
saw it); the earlier ones are skipped, so a weekly report does not run three times after a three-week outage
(a Temporal schedule, by contrast, catches up the ticks within its catch-up window).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from portaflow.dsl.decorators import Workflow
from portaflow.dsl.schedule import Schedule, tick_id
from portaflow.local_engine.loader import bind_input, workflow_ref

if TYPE_CHECKING:
    from portaflow.local_engine.engine import Engine


@dataclass(frozen=True)
class Upcoming:
    """A scheduled workflow and its next tick, as `portaflow schedules` lists it."""

    workflow: str
    schedule: str
    timezone: str
    next: float  # epoch seconds

    def to_json(self) -> dict[str, str]:
        local = datetime.fromtimestamp(self.next, ZoneInfo(self.timezone))
        return {
            "workflow": self.workflow,
            "schedule": self.schedule,
            "timezone": self.timezone,
            "next": datetime.fromtimestamp(self.next, UTC).isoformat().replace("+00:00", "Z"),
            "next_local": local.isoformat(),
        }


def upcoming(workflows: list[Workflow[..., Any]], now: float) -> list[Upcoming]:
    """The next tick after ``now`` of each workflow that has a schedule."""
    return [
        Upcoming(wf.name, wf.schedule.cron, wf.schedule.timezone, wf.schedule.next_tick(now))
        for wf in workflows
        if wf.schedule is not None
    ]


@dataclass
class _Entry:
    wf: Workflow[..., Any]
    schedule: Schedule
    since: float
    next_at: float = -math.inf  # when to look again


class Scheduler:
    """The schedules of the workflows an engine has registered."""

    def __init__(self, engine: Engine, workflows: list[Workflow[..., Any]]) -> None:
        self.engine = engine
        now = engine.clock.now()
        self.entries = []
        for wf in workflows:
            assert wf.schedule is not None
            since = engine.store.ensure_schedule(wf.name, wf.schedule.cron, wf.schedule.timezone, now)
            self.entries.append(_Entry(wf, wf.schedule, since))

    @property
    def next_at(self) -> float:
        """The next instant a tick is due (workflow time)."""
        return min((e.next_at for e in self.entries), default=math.inf)

    def poll(self) -> list[str]:
        """Start the latest due tick of each schedule, unless started already; the ids of runs started."""
        now = self.engine.clock.now()
        started = []
        for e in self.entries:
            if now < e.next_at:
                continue
            tick = e.schedule.latest_tick(now)
            e.next_at = e.schedule.next_tick(now)
            if tick < e.since:
                continue  # before the schedule existed
            run_id = tick_id(e.wf.name, tick)
            iso = datetime.fromtimestamp(tick, UTC).isoformat().replace("+00:00", "Z")
            fields: dict[str, Any] = {
                "schedule": e.schedule.cron,
                "timezone": e.schedule.timezone,
                "tick": iso,
            }
            if e.wf.timeout is not None:
                fields.update(deadline=now + e.wf.timeout, timeout=e.wf.timeout)
            input_json = json.dumps(bind_input(e.wf, {}), separators=(",", ":"))
            if self.engine.store.start_tick(
                tick, run_id, e.wf.name, workflow_ref(e.wf), input_json, now, fields
            ):
                started.append(run_id)
                self.engine.report(run_id, "scheduled", {"workflow": e.wf.name, "tick": iso})
        return started
