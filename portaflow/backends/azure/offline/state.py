"""What the offline host keeps and reports: history event types, its errors, the records of what ran, and
each instance's state (internal: ``Instance`` and the items due to reach its history)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .actions import Node

# history event types (the SDK's HistoryEventType)
EXECUTION_STARTED, EXECUTION_COMPLETED = 0, 1
TASK_SCHEDULED, TASK_COMPLETED, TASK_FAILED = 4, 5, 6
SUB_CREATED, SUB_COMPLETED, SUB_FAILED = 7, 8, 9
TIMER_CREATED, TIMER_FIRED = 10, 11
ORCHESTRATOR_STARTED, ORCHESTRATOR_COMPLETED = 12, 13
EVENT_RAISED = 15


class HostError(Exception):
    """The host cannot go on: an instance is stuck, a call ran too many episodes, an unknown instance."""


class NondeterminismError(HostError):
    """A replay scheduled different actions than the history recorded."""


@dataclass
class ActivityCall:
    """One activity invocation: what the executor builds the conformance trace from."""

    instance_id: str
    name: str
    input: Any
    seq: int  # TaskScheduledId
    attempt: int  # 1, or the attempt number of a CallActivityWithRetry
    started: float  # virtual seconds since the host's start
    wall: float  # real seconds it ran
    result: Any = None
    error: dict[str, str] | None = None  # {"type", "message"} when it raised

    @property
    def finished(self) -> float:
        """Virtual time of its completion: scheduling time plus its real duration."""
        return self.started + self.wall


@dataclass
class TimerRecord:
    """One durable timer; the host cannot know why the orchestrator created it, only how it was made."""

    instance_id: str
    seq: int  # TimerId
    kind: str  # "timer" (the orchestrator's CreateTimer) or "retry" (the framework's, between attempts)
    requested: float  # virtual seconds: when the orchestrator asked for it (the yielding episode)
    fire_at: float
    seconds: float  # fire_at - requested, exact (from the clock's microseconds)
    within: str  # the top-level action it belongs to: "timer" (alone), "any" (a race), "all"
    long_timer: int | None = None  # seq of the first segment when the SDK split a timer over six days
    fired: float | None = None  # virtual seconds when its TimerFired reached the history
    cancelled: bool = False


@dataclass
class InstanceStatus:
    """An instance as the client's get_status shows it. Between the host's calls nothing can run, so a
    Running instance waits: for an event (``waiting_for``) or for a timer the clock has not reached."""

    instance_id: str
    name: str
    runtime_status: str  # "Running" | "Completed" | "Failed"
    output: Any  # a Failed one's is the extension's "Orchestrator function 'NAME' failed: MESSAGE"
    failure: str | None  # the orchestrator's exception message, as the SDK reported it
    custom_status: Any
    waiting_for: list[str]  # events the current action waits for
    created: datetime
    last_updated: datetime
    next_timer: float | None = None  # virtual seconds at which its earliest pending timer fires


@dataclass(eq=False)
class Item:
    """Something due to reach an instance's history at virtual time ``at`` (microseconds)."""

    at: int
    order: int
    kind: str  # "start" | "activity" | "timer" | "retry" | "suborch"
    event: dict[str, Any]
    node: Node | None = None
    timer: TimerRecord | None = None
    call: ActivityCall | None = None


@dataclass(eq=False)
class Raised:
    name: str
    input_json: str
    at: int
    order: int


@dataclass(eq=False)
class Instance:
    id: str
    name: str
    input_json: str | None
    created: int
    parent: tuple[Instance, Node] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    tops: list[Node] = field(default_factory=list)
    cursor: int = 0
    next_seq: int = 0
    status: str = "Pending"
    output: Any = None
    failure: str | None = None
    custom_status: Any = None
    updated: int = 0
    pending: list[Item] = field(default_factory=list)
    raised: list[Raised] = field(default_factory=list)
    waits: list[Node] = field(default_factory=list)  # unsatisfied event waits, in the order yielded
    yielded: Node | None = None  # the top-level action the generator yielded last
    awaited: list[str] = field(default_factory=list)  # after the last replay: the events it awaits (app)
    children: list[Instance] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.status in ("Pending", "Running")

    def current(self) -> Node | None:
        return self.tops[self.cursor] if self.cursor < len(self.tops) else None

    def blocking(self) -> list[Node]:
        """The actions the instance is blocked on: the .NET side's current one and the one the generator
        yielded last (they differ after a WhenAll failed early, or while a raced long timer is chained)."""
        found = [n for n in (self.current(), self.yielded) if n is not None]
        return found[:1] if len(found) == 2 and found[0] is found[1] else found

    def waiting_for(self) -> list[str]:
        nodes = [e for top in self.blocking() for e in top.open_events()] if self.blocking() else self.waits
        return list(dict.fromkeys([n.name for n in nodes] + self.awaited))
