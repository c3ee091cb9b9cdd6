"""What a run's event log says, folded into the lookups replay needs.

Steps (and the markers of map, parallel and child-workflow calls) are keyed by their *path* (the same
string that ends their idempotency key); the other primitives by ``p<n>`` within their scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from portaflow.local_engine.store import EventRow

STEP_KINDS = frozenset(
    {
        "step_completed",
        "step_attempt_failed",
        "step_failed",
        "call_started",
        "call_completed",
        "child_started",
    }
)
PRIM_KINDS = frozenset(
    {
        "value_recorded",
        "timer_started",
        "timer_fired",
        "wait_started",
        "event_received",
        "event_failed",
        "event_timed_out",
        "child_completed",
        "child_failed",
    }
)


@dataclass
class StepRecord:
    name: str
    failures: int = 0
    retry_at: float | None = None
    done: bool = False
    result: Any = None
    error: dict[str, Any] | None = None
    returned: bool = False  # a child workflow's call: it returned ``result`` (replay skips its body)


@dataclass
class PrimRecord:
    kind: str
    name: str | None = None
    value: Any = None
    due: float | None = None
    done: bool = False
    timeout: float | None = None  # a wait's timeout, in seconds
    error: dict[str, str] | None = None  # a wait's failure event: {"type", "message"}
    timed_out: bool = False


@dataclass
class History:
    steps: dict[str, StepRecord] = field(default_factory=dict)
    prims: dict[str, PrimRecord] = field(default_factory=dict)
    last_seq: int = 0
    deadline: float | None = None  # the workflow's execution timeout, as an instant (workflow time)
    timeout: float | None = None  # ...and as the duration @workflow(timeout=...) gave
    patches: set[str] = field(default_factory=set)  # the change ids of ctx.patched markers
    logs: set[str] = field(default_factory=set)  # the keys of the ctx.log lines written (log:POSITION#N)

    @classmethod
    def fold(cls, events: list[EventRow]) -> History:
        h = cls()
        for ev in events:
            h.apply(ev.seq, ev.kind, ev.key, ev.name, ev.data)
        return h

    def apply(self, seq: int, kind: str, key: str | None, name: str | None, data: dict[str, Any]) -> None:
        self.last_seq = seq
        if kind in ("run_started", "run_resumed"):
            # a resumed run attempts its failed steps again, each with a fresh attempt budget
            for path in data.get("reset", ()):
                reset = self.steps.get(path)
                if reset is not None:
                    reset.failures, reset.retry_at, reset.done, reset.error = 0, None, False, None
            if "deadline" in data:
                self.deadline, self.timeout = data["deadline"], data.get("timeout")
        if key is None:
            return
        if kind == "patch_recorded":
            self.patches.add(name or "")
        elif kind == "log_written":
            self.logs.add(key)
        elif kind in STEP_KINDS:
            rec = self.steps.get(key)
            if rec is None:
                rec = self.steps[key] = StepRecord(name or "")
            if kind == "step_attempt_failed":
                rec.failures = int(data["attempt"])
                rec.retry_at = data.get("retry_at")
            elif kind == "step_completed":
                rec.done, rec.result = True, data.get("result")
            elif kind == "step_failed":
                rec.done, rec.error = True, data["error"]
                rec.failures = int(data.get("attempt", rec.failures))
            elif kind == "child_started":  # ctx.start_workflow: the child's run id
                rec.done, rec.result = True, data.get("run_id")
            elif kind == "call_completed":  # a child workflow returned: its result is checkpointed
                rec.done, rec.returned, rec.result = True, True, data.get("result")
            else:  # call_started: the marker of a map, parallel or child-workflow call
                rec.done = True
        elif kind in PRIM_KINDS:
            prim = self.prims.get(key)
            if kind == "value_recorded":
                self.prims[key] = PrimRecord(str(data["kind"]), value=data["value"], done=True)
            elif kind == "timer_started":
                self.prims[key] = PrimRecord("sleep", due=data["fire_at"])
            elif kind in ("child_completed", "child_failed"):  # ChildRun.result(): the child's outcome
                self.prims[key] = PrimRecord(
                    "child", name=name, value=data.get("output"), done=True, error=data.get("error")
                )
            elif kind == "wait_started":
                self.prims[key] = PrimRecord(
                    "wait", name=name, due=data.get("timeout_at"), timeout=data.get("timeout")
                )
            elif prim is not None:  # timer_fired, event_received, event_failed, event_timed_out
                prim.done = True
                prim.value = data.get("payload")
                prim.error = data.get("error")
                prim.timed_out = kind == "event_timed_out"
