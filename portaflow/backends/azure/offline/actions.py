"""The actions an orchestrator returns, as a tree the host schedules, and the replay (determinism) check.

The SDK returns ``{"actions": [[action, ...]], ...}`` (replay schema 2 and up: one list, append-only across
episodes). Each action is a leaf (CallActivity 0, CallActivityWithRetry 1, CallSubOrchestrator 2,
CreateTimer 5, WaitForExternalEvent 6) or a compound (WhenAny 11, WhenAll 12) with ``compoundActions``.

Sequence ids are the SDK's: it numbers tasks as they are yielded (depth first through a compound), every
leaf but an external-event wait takes one, so walking each new action in order mirrors its counter.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

CALL_ACTIVITY = 0
CALL_ACTIVITY_WITH_RETRY = 1
CALL_SUB_ORCHESTRATOR = 2
CREATE_TIMER = 5
WAIT_FOR_EXTERNAL_EVENT = 6
WHEN_ANY = 11
WHEN_ALL = 12

_NAMES = {
    0: "CallActivity",
    1: "CallActivityWithRetry",
    2: "CallSubOrchestrator",
    3: "CallSubOrchestratorWithRetry",
    4: "ContinueAsNew",
    5: "CreateTimer",
    6: "WaitForExternalEvent",
    7: "CallEntity",
    8: "CallHttp",
    9: "SignalEntity",
    11: "WhenAny",
    12: "WhenAll",
}


class UnsupportedAction(Exception):
    """An action the offline host does not run: entities, HTTP, continue-as-new, sub-orchestration retry."""


@dataclass(eq=False)
class Node:
    """One action of the orchestration and what the host knows of its progress."""

    kind: str  # "activity" | "timer" | "event" | "suborch" | "all" | "any"
    raw: dict[str, Any]
    children: list[Node] = field(default_factory=list)
    seq: int | None = None  # the SDK's task id (TaskScheduledId / TimerId); the latest attempt's for retries
    requested_at: int = 0  # virtual time (microseconds) of the episode that yielded it
    scheduled: bool = False  # the framework scheduled it (the .NET side reached its top-level action)
    done: bool = False  # a leaf's outcome reached the history (a retry leaf: its last attempt's, timer fired)
    cancelled: bool = False  # a timer the orchestrator cancelled
    attempts: int = 0
    long_timer: int | None = None  # seq of the first segment of the long timer this timer belongs to
    child: str | None = None  # a sub-orchestration's instance id, once started

    # -------------------------------------------------------------------------------------- reading
    @property
    def name(self) -> str:
        return str(self.raw.get("functionName") or self.raw.get("externalEventName") or "")

    @property
    def input_json(self) -> str | None:
        value = self.raw.get("input")
        return None if value is None else str(value)

    @property
    def fire_at(self) -> datetime:
        return parse_time(str(self.raw["fireAt"]))

    @property
    def retry(self) -> tuple[int, int] | None:
        """(first interval in ms, max attempts) of a CallActivityWithRetry."""
        opts = self.raw.get("retryOptions")
        if not isinstance(opts, dict):
            return None
        return int(opts["firstRetryIntervalInMilliseconds"]), int(opts["maxNumberOfAttempts"])

    def leaves(self) -> Iterator[Node]:
        if self.kind in ("all", "any"):
            for child in self.children:
                yield from child.leaves()
        else:
            yield self

    def complete(self) -> bool:
        """Complete as the .NET side awaits it: a WhenAll once every child is, a WhenAny once one is."""
        if self.kind == "all":
            return all(c.complete() for c in self.children)
        if self.kind == "any":
            return not self.children or any(c.complete() for c in self.children)
        return self.done or (self.kind == "timer" and self.cancelled)

    def open_events(self) -> list[Node]:
        return [leaf for leaf in self.leaves() if leaf.kind == "event" and not leaf.done]


def parse(raw: dict[str, Any]) -> Node:
    """The node of one action JSON (its children too); raises UnsupportedAction for what the host lacks."""
    kind = raw.get("actionType")
    if kind in (WHEN_ALL, WHEN_ANY):
        children = [parse(c) for c in raw.get("compoundActions") or []]
        return Node("all" if kind == WHEN_ALL else "any", raw, children)
    if kind in (CALL_ACTIVITY, CALL_ACTIVITY_WITH_RETRY):
        return Node("activity", raw)
    if kind == CREATE_TIMER:
        return Node("timer", raw, cancelled=bool(raw.get("isCanceled")))
    if kind == WAIT_FOR_EXTERNAL_EVENT:
        return Node("event", raw)
    if kind == CALL_SUB_ORCHESTRATOR:
        return Node("suborch", raw)
    raise UnsupportedAction(f"the offline host does not execute {describe(raw)} actions")


def number(node: Node, next_seq: int) -> int:
    """Give each leaf of a newly yielded action the SDK's id; returns the next free id."""
    for leaf in node.leaves():
        if leaf.kind != "event":
            leaf.seq = next_seq
            next_seq += 1
    return next_seq


def sync_cancellation(node: Node, raw: dict[str, Any]) -> list[Node]:
    """Copy ``isCanceled`` from the latest JSON of the same action; returns timers newly cancelled."""
    newly: list[Node] = []
    if node.kind == "timer" and bool(raw.get("isCanceled")) and not node.cancelled:
        node.cancelled = True
        newly.append(node)
    for child, child_raw in zip(node.children, raw.get("compoundActions") or [], strict=False):
        newly += sync_cancellation(child, child_raw)
    return newly


def normalized(raw: Any) -> Any:
    """An action's JSON without what may change between replays (a timer's ``isCanceled``)."""
    if isinstance(raw, dict):
        return {k: normalized(v) for k, v in raw.items() if k != "isCanceled"}
    if isinstance(raw, list):
        return [normalized(v) for v in raw]
    return raw


def describe(raw: Any) -> str:
    """A readable action: ``CallActivity 'charge' with input {"a": 1}``, ``CreateTimer firing at ...``."""
    if not isinstance(raw, dict):
        return repr(raw)
    kind = raw.get("actionType")
    label = _NAMES.get(kind, f"action type {kind}") if isinstance(kind, int) else f"action type {kind!r}"
    if kind in (WHEN_ALL, WHEN_ANY):
        return f"{label}[{', '.join(describe(c) for c in raw.get('compoundActions') or [])}]"
    if kind == CREATE_TIMER:
        return f"{label} firing at {raw.get('fireAt')}"
    if kind == WAIT_FOR_EXTERNAL_EVENT:
        return f"{label} {raw.get('externalEventName')!r}"
    if "functionName" in raw:
        text = f"{label} {raw.get('functionName')!r}"
        if raw.get("input") is not None:
            text += f" with input {_short(str(raw['input']))}"
        return text
    return label


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def first_difference(old: list[dict[str, Any]], new: list[Any]) -> str | None:
    """Where a replay's actions stop matching those already scheduled (None when they match): the framework
    checks type and name; this checks the whole action (inputs, timer instants) but a timer's cancel flag."""
    for i, before in enumerate(old):
        if i >= len(new):
            return (
                f"action #{i + 1} was {describe(before)} when first scheduled, but the replay no longer "
                "schedules it"
            )
        if normalized(before) != normalized(new[i]):
            return (
                f"action #{i + 1} was {describe(before)} when first scheduled, but the replay schedules "
                f"{describe(new[i])}"
            )
    return None


# --------------------------------------------------------------------------------------------- time
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # the SDK's DATETIME_STRING_FORMAT


def parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime(TIME_FORMAT)


def dumps(value: Any) -> str:
    return json.dumps(value)
