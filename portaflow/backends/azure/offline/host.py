"""Run a generated Azure Functions app offline: this host plays the Durable Task Framework around the real
``azure-functions-durable`` SDK, on a virtual clock.

    with DurableHost(Path("out/refund")) as host:
        host.start("refund", {"order_id": "o1"}, instance_id="r1")  # returns once done or waiting
        host.raise_event("r1", "approval", {"ok": True})
        host.advance("3d")                                            # event timeouts fire
        st = host.status("r1")  # runtime_status, output, failure, custom_status, waiting_for, next_timer
        host.calls("r1"), host.timers_of("r1"), host.history("r1")   # what ran, for the executor's trace

``DurableHost(app_dir, start=datetime(...), max_episodes=20_000, early_events="buffer")``: the virtual clock
starts at ``start`` (2026-01-01T00:00Z by default); ``host.now`` is virtual seconds since then.

What is real: the orchestrator is the app's own, called through the SDK's handle with the context JSON the
extension sends (PascalCase history, ExecutionStarted with a Version, IsPlayed on replayed events, replay
schema 3 with the long-timer settings "6.00:00:00" / "3.00:00:00", so timers over six days are split by the
SDK itself); activities run in-process through the worker's codec (``app.FunctionApp.run_activity``).

What the host plays, as the framework does:
- Episodes. Each appends OrchestratorStarted at the current virtual time and the new events due (those
  that arrived together come in one episode, as the framework batches messages; a retry's or a long
  timer's event comes alone, so that the task ids the host gives mirror the SDK's), replays the whole
  history and compares the actions with those scheduled before: a replayed action whose type, name,
  input or timer instant changed fails the instance and raises :class:`NondeterminismError` naming both
  (the SDK checks nothing; the framework checks type and name). Then the framework's decisions for the
  new actions (TaskScheduled..., OrchestratorCompleted).
- .NET ordering. The extension awaits top-level actions in order: an action is scheduled (TaskScheduled,
  TimerCreated, SubOrchestrationInstanceCreated) once every earlier one is complete, a WhenAll once all its
  children are (even when Python resumed at the first failure), a WhenAny once one child is.
- Retries (CallActivityWithRetry): after each failed attempt a timer of the first interval, then the next
  attempt; after the last one a final timer, and the failure surfaces when it fires.
- Events. An event raised while no wait for its name is open is buffered by the host and delivered (as
  EventRaised) once one is, in arrival order, each once. Azure instead appends it at once, and SDK 1.7.0
  defers it, keeping only the latest early event of a name and completing every later wait of that name
  with it (unless the app replaces ``context.deferred_tasks``): ``early_events="azure"`` plays that; the
  default, "buffer", delivers what a correct framework would. Which waits are open is read from the SDK's
  own context after each replay (with several open for a name, the SDK gives an event to the latest).
- An activity that raises becomes TaskFailed: Reason = the exception's message, Details = JSON with its
  type and traceback; the orchestrator then sees ``Exception(f"{Reason} \\n {Details}")``.

Virtual time (as the local engine's VirtualClock and the AWS harness): an activity runs for real when it is
scheduled and completes at its scheduling time plus its wall-clock duration; a timer fires when the clock
reaches its fireAt. Time moves by itself only as far as running activities take it and, when an instance
is blocked with nothing but timers pending (it waits for no event), to its earliest timer: a sleep is
instant (recorded). An instance whose current action waits for an event (a wait, or a race of a wait and a
timer) does not move time: its timeout fires only on :meth:`advance`. So a timer racing an activity (a step
timeout) wins when it is shorter than the activity's real duration. Cancelled timers never fire.

Calls return once every instance completed, failed or waits; an instance blocked on nothing it could get
raises :class:`HostError`, as does a call that runs more than ``max_episodes`` episodes.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from portaflow.dsl.durations import parse_duration

from . import actions as act
from .actions import Node, UnsupportedAction
from .app import FunctionApp, awaited_events, captured_contexts, memoized_timestamps, open_waits
from .state import (
    EVENT_RAISED,
    EXECUTION_COMPLETED,
    EXECUTION_STARTED,
    ORCHESTRATOR_COMPLETED,
    ORCHESTRATOR_STARTED,
    SUB_COMPLETED,
    SUB_CREATED,
    SUB_FAILED,
    TASK_COMPLETED,
    TASK_FAILED,
    TASK_SCHEDULED,
    TIMER_CREATED,
    TIMER_FIRED,
    ActivityCall,
    HostError,
    Instance,
    InstanceStatus,
    Item,
    NondeterminismError,
    Raised,
    TimerRecord,
)

__all__ = ["ActivityCall", "DurableHost", "HostError", "InstanceStatus", "NondeterminismError", "TimerRecord"]

MAX_SHORT_TIMER = "6.00:00:00"
LONG_TIMER_INTERVAL = "3.00:00:00"
LONG_TIMER_INTERVAL_US = 3 * 86400 * 1_000_000
OUT_OF_PROC_MARKER = "\n\n$OutOfProcData$:"
DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)


class DurableHost:
    """The Durable Task Framework's part for one function app, offline; see the module docstring."""

    def __init__(
        self,
        app_dir: Path | str,
        *,
        start: datetime = DEFAULT_START,
        max_episodes: int = 20_000,
        early_events: Literal["buffer", "azure"] = "buffer",
    ) -> None:
        self.app = FunctionApp(app_dir)
        self.early_events = early_events
        self.origin = start if start.tzinfo else start.replace(tzinfo=UTC)
        self.max_episodes = max_episodes
        self._now = 0  # microseconds since origin
        self._order = itertools.count()
        self.instances: dict[str, Instance] = {}
        self.activities: list[ActivityCall] = []
        self.timers: list[TimerRecord] = []
        self.episodes = 0

    # ------------------------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        self.app.close()

    def __enter__(self) -> DurableHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------------------------------- clock
    @property
    def now(self) -> float:
        """Virtual seconds since the host's start."""
        return self._now / 1e6

    def utcnow(self) -> datetime:
        return self._at(self._now)

    def _at(self, us: int) -> datetime:
        return self.origin + timedelta(microseconds=us)

    def _us(self, instant: datetime) -> int:
        delta = instant - self.origin
        return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds

    def _stamp(self) -> str:
        return act.format_time(self.utcnow())

    # ------------------------------------------------------------------------------------------ API
    def start(self, orchestrator: str, input: Any = None, instance_id: str | None = None) -> str:
        """Start an instance of ``orchestrator``; returns its id once every instance is done or waits."""
        self.app.orchestrator(orchestrator)  # an unknown name fails here, before anything is recorded
        instance_id = instance_id or uuid.uuid4().hex
        if instance_id in self.instances:
            raise HostError(f"instance {instance_id!r} already exists")
        self._create(orchestrator, None if input is None else json.dumps(input), instance_id, None)
        self._settle()
        return instance_id

    def raise_event(self, instance_id: str, name: str, payload: Any = None) -> None:
        """Raise event ``name`` on an instance (ignored once it completed or failed, as on Azure)."""
        inst = self._get(instance_id)
        if inst.running:
            inst.raised.append(Raised(name, json.dumps(payload), self._now, next(self._order)))
        self._settle()

    def advance(self, duration: str | float) -> None:
        """Move virtual time forward; timers that come due fire (event timeouts among them)."""
        seconds = parse_duration(duration, what="advance duration")
        if seconds < 0:
            raise ValueError("advance: time only moves forward")
        self._now += round(seconds * 1_000_000)
        self._settle()

    def status(self, instance_id: str) -> InstanceStatus:
        inst = self._get(instance_id)
        output = inst.output
        if inst.status == "Failed":  # what the extension shows as a failed instance's output
            output = f"Orchestrator function '{inst.name}' failed: {inst.failure}"
        return InstanceStatus(
            inst.id,
            inst.name,
            "Running" if inst.status == "Pending" else inst.status,
            output,
            inst.failure,
            inst.custom_status,
            inst.waiting_for() if inst.running else [],
            self._at(inst.created),
            self._at(inst.updated),
            min((i.at / 1e6 for i in inst.pending if i.kind in ("timer", "retry")), default=None),
        )

    def history(self, instance_id: str) -> list[dict[str, Any]]:
        return [dict(e) for e in self._get(instance_id).history]

    def calls(self, instance_id: str) -> list[ActivityCall]:
        return [c for c in self.activities if c.instance_id == instance_id]

    def timers_of(self, instance_id: str) -> list[TimerRecord]:
        return [t for t in self.timers if t.instance_id == instance_id]

    def _get(self, instance_id: str) -> Instance:
        try:
            return self.instances[instance_id]
        except KeyError:
            raise HostError(f"no instance {instance_id!r}") from None

    # ---------------------------------------------------------------------------------- scheduling
    def _create(
        self, name: str, input_json: str | None, instance_id: str, parent: tuple[Instance, Node] | None
    ) -> Instance:
        inst = Instance(instance_id, name, input_json, self._now, parent, updated=self._now)
        self.instances[instance_id] = inst
        started: dict[str, Any] = {
            "EventType": EXECUTION_STARTED,
            "EventId": -1,
            "Name": name,
            "Input": input_json,
            "Version": None,
            "OrchestrationInstance": {"InstanceId": instance_id, "ExecutionId": uuid.uuid4().hex},
            "ParentInstance": None
            if parent is None
            else {"OrchestrationInstance": {"InstanceId": parent[0].id}},
        }
        inst.pending.append(Item(self._now, next(self._order), "start", started))
        return inst

    def _settle(self) -> None:
        budget = self.max_episodes
        while (picked := self._pick()) is not None:
            if budget == 0:
                raise HostError(
                    f"more than {self.max_episodes} episodes in one call: an orchestration that never waits?"
                )
            budget -= 1
            self._episode(picked, self._batch(picked))
        for inst in self.instances.values():
            if inst.running and (reason := self._stuck(inst)) is not None:
                raise HostError(f"instance {inst.id!r} ({inst.name}) neither progresses nor waits: {reason}")

    def _due(self, inst: Instance) -> list[Item | Raised]:
        """What could reach the instance's history now, earliest first: items due by the clock, and raised
        events for the waits that are open (as many of a name as there are waits for it)."""
        due: list[Item | Raised] = [item for item in inst.pending if item.at <= self._now]
        open_waits: dict[str, int] = {}
        for w in inst.waits:
            open_waits[w.name] = open_waits.get(w.name, 0) + 1
        for ev in inst.raised:
            if open_waits.get(ev.name, 0) > 0:
                open_waits[ev.name] -= 1
                due.append(ev)
            elif self.early_events == "azure":  # Azure appends it at once, wait or no wait
                due.append(ev)
        return sorted(due, key=lambda d: (d.at, d.order))

    def _pick(self) -> Instance | None:
        """The instance with the earliest due item or deliverable event. When nothing is due anywhere, time
        moves: past every activity completion that comes before the next timer of any instance (they land
        in one episode, as messages that arrive while an orchestration runs are batched), else to the next
        activity completion or timer of an instance that waits for no event (see the module docstring)."""
        while True:
            best: tuple[tuple[int, int], Instance] | None = None
            running = [inst for inst in self.instances.values() if inst.running]
            for inst in running:
                due = self._due(inst)
                if due and (best is None or (due[0].at, due[0].order) < best[0]):
                    best = ((due[0].at, due[0].order), inst)
            if best is not None:
                return best[1]
            items = [(inst, item) for inst in running for item in inst.pending]
            timers = [item.at for _, item in items if item.kind in ("timer", "retry")]
            first_timer = min(timers) if timers else None
            ends = [
                i.at for _, i in items if i.kind == "activity" and (first_timer is None or i.at < first_timer)
            ]
            if ends:
                self._now = max(ends)
                continue
            moves = [
                item.at
                for inst, item in items
                if item.kind not in ("timer", "retry") or not self._waits_for_event(inst)
            ]
            if not moves:
                return None
            self._now = min(moves)

    def _batch(self, inst: Instance) -> list[Item | Raised]:
        """The due things one episode delivers: all of them, but an item whose delivery makes the SDK take
        task ids of its own (a retry's failed attempt or timer, a long timer's segment) comes alone, so that
        the ids the host gives mirror the SDK's."""
        due = self._due(inst)
        batch: list[Item | Raised] = []
        for thing in due:
            if self._special(thing):
                return batch or [thing]
            batch.append(thing)
        return batch

    def _special(self, thing: Item | Raised) -> bool:
        if not isinstance(thing, Item) or thing.node is None:
            return False
        if thing.kind == "retry":
            return True
        if thing.kind == "activity":
            return thing.node.retry is not None and thing.event["EventType"] == TASK_FAILED
        return thing.kind == "timer" and thing.node.long_timer is not None

    def _waits_for_event(self, inst: Instance) -> bool:
        """The instance's current action waits for an event (its own, or a sub-orchestration's that waits):
        then its timers fire only when the clock reaches them, never by skipping."""
        blocking = inst.blocking()
        if not blocking:
            return bool(inst.waits)
        if inst.awaited or any(top.open_events() for top in blocking):
            return True
        leaves = [leaf for top in blocking for leaf in top.leaves()]
        children = [self.instances[leaf.child] for leaf in leaves if leaf.child in self.instances]
        return any(c.running and self._waits_for_event(c) for c in children)

    def _stuck(self, inst: Instance) -> str | None:
        if inst.pending or self._waits_for_event(inst) or any(c.running for c in inst.children):
            return None
        top = inst.current()
        if top is None:
            return "every action it scheduled is complete, yet it neither returned nor asked for more"
        return f"it is blocked on {act.describe(top.raw)} with nothing scheduled that could complete it"

    # ------------------------------------------------------------------------------------- episodes
    def _episode(self, inst: Instance, batch: list[Item | Raised]) -> None:
        self.episodes += 1
        for e in inst.history:
            e["IsPlayed"] = True
        self._append(inst, {"EventType": ORCHESTRATOR_STARTED, "EventId": -1})
        decisions = [decide for thing in batch for decide in self._deliver(inst, thing)]
        inst.status = "Running"
        chain = self._chain(batch[0]) if len(batch) == 1 else None
        state, failure, waits = self._replay(inst)
        self._check_replay(inst, state)
        new_raw = state["actions"][0] if state.get("actions") else []
        self._add_actions(inst, new_raw[len(inst.tops) :], chain)
        if waits is not None:
            self._reconcile_waits(inst, waits)
        for node, raw in zip(inst.tops, new_raw, strict=False):
            for timer in act.sync_cancellation(node, raw):
                self._cancel(inst, timer)
        if state.get("customStatus") is not None:
            inst.custom_status = state["customStatus"]
        inst.updated = self._now
        if failure is not None or state.get("isDone"):
            self._finish(inst, state.get("output"), failure)
            return
        for decide in decisions:
            decide()
        self._advance_cursor(inst)
        self._append(inst, {"EventType": ORCHESTRATOR_COMPLETED, "EventId": -1})

    def _chain(self, item: Item | Raised) -> int | None:
        """The long timer whose segment this item fires, when the SDK will chain another segment to it (a
        segment of exactly the interval always has a successor; the last one is longer)."""
        if not isinstance(item, Item) or item.kind != "timer" or item.node is None or item.timer is None:
            return None
        node = item.node
        if node.long_timer is None or self._us(node.fire_at) - node.requested_at != LONG_TIMER_INTERVAL_US:
            return None
        return node.long_timer

    def _append(self, inst: Instance, event: dict[str, Any]) -> None:
        event.setdefault("Timestamp", self._stamp())
        event["IsPlayed"] = False
        inst.history.append(event)

    def _deliver(self, inst: Instance, item: Item | Raised) -> list[Any]:
        """Append the delivered event; returns the framework's decisions it calls for (retry bookkeeping),
        taken after the replay: the ids they use are given now, as the SDK gives them while replaying."""
        if isinstance(item, Raised):
            inst.raised.remove(item)
            # the SDK gives it to the latest open wait of its name; with none (early_events="azure") it defers
            # it, and the wait it completes on yield is found after the replay (_reconcile_waits)
            wait = next((w for w in reversed(inst.waits) if w.name == item.name), None)
            if wait is not None:
                inst.waits.remove(wait)
                wait.done = True
            self._append(
                inst, {"EventType": EVENT_RAISED, "EventId": -1, "Name": item.name, "Input": item.input_json}
            )
            return []
        inst.pending.remove(item)
        self._append(inst, dict(item.event))
        node = item.node
        if item.kind == "timer" and item.timer is not None:
            item.timer.fired = self.now
            if node is not None:
                node.done = True
        elif item.kind == "suborch" and node is not None:
            node.done = True
        elif item.kind == "activity" and node is not None:
            if node.retry is None or item.event["EventType"] == TASK_COMPLETED:
                node.done = True
            else:  # a failed attempt of a retry: the framework waits the retry interval
                seq = inst.next_seq
                inst.next_seq += 1
                fire_at = self._now + node.retry[0] * 1000
                return [lambda: self._create_timer(inst, node, seq, fire_at, "retry")]
        elif item.kind == "retry" and node is not None and node.retry is not None:
            if node.attempts >= node.retry[1]:
                node.done = True  # the last attempt's failure is in the history: it surfaces now
            else:
                seq = inst.next_seq
                inst.next_seq += 1
                return [lambda: self._start_activity(inst, node, seq)]
        return []

    def replay(
        self, orchestrator: str, instance_id: str, input: Any, history: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """Replay a recorded ``history`` (as :meth:`history` returns it) against this app's orchestrator, as
        a host does for an in-flight instance after a deployment; nothing is recorded. Returns the
        orchestration state (``isDone``, ``actions``, ``output``), with ``failure`` when it raised."""
        handle = self.app.orchestrator(orchestrator)
        context = {
            "history": [{**e, "IsPlayed": True} for e in history],
            "input": None if input is None else json.dumps(input),
            "instanceId": instance_id,
            "isReplaying": True,
            "parentInstanceId": None,
            "upperSchemaVersion": 1,
            "upperSchemaVersionNew": 2,
            "maximumShortTimerDuration": MAX_SHORT_TIMER,
            "longRunningTimerIntervalDuration": LONG_TIMER_INTERVAL,
        }
        with memoized_timestamps():
            try:
                state: dict[str, Any] = json.loads(handle(json.dumps(context)))
            except Exception as exc:
                state, failure = self._raised(exc)
                return {**state, "failure": failure}
        return state

    def _context(self, inst: Instance) -> str:
        return json.dumps(
            {
                "history": inst.history,
                "input": inst.input_json,
                "instanceId": inst.id,
                "isReplaying": len(inst.history) > 3,
                "parentInstanceId": inst.parent[0].id if inst.parent else None,
                "upperSchemaVersion": 1,
                "upperSchemaVersionNew": 2,
                "maximumShortTimerDuration": MAX_SHORT_TIMER,
                "longRunningTimerIntervalDuration": LONG_TIMER_INTERVAL,
            }
        )

    def _replay(self, inst: Instance) -> tuple[dict[str, Any], str | None, dict[str, int] | None]:
        """Call the orchestrator; its state, the failure message when it raised, and the event waits the SDK
        has open afterwards (None if it built no context)."""
        handle = self.app.orchestrator(inst.name)
        with memoized_timestamps(), captured_contexts() as contexts:
            try:
                out = handle(self._context(inst))
            except Exception as exc:
                state, failure = self._raised(exc)
                return state, failure, open_waits(contexts[-1]) if contexts else None
        waits = open_waits(contexts[-1]) if contexts else None
        inst.awaited = awaited_events(contexts[-1]) if contexts else []
        state = json.loads(out)
        if not isinstance(state, dict):
            raise HostError(f"orchestrator {inst.name!r} returned {out!r}, not an orchestration state")
        return state, None, waits

    @staticmethod
    def _raised(exc: Exception) -> tuple[dict[str, Any], str | None]:
        """The state and failure message of an orchestrator that raised (the SDK's ``$OutOfProcData$``)."""
        text = str(exc)
        if OUT_OF_PROC_MARKER in text:
            message, _, state_json = text.partition(OUT_OF_PROC_MARKER)
            state = json.loads(state_json)
            return state, str(state.get("error") or message)
        # not the SDK's own report (no actions to check): the function invocation itself failed
        return {"isDone": False, "actions": None}, f"{type(exc).__name__}: {text}"

    def _check_replay(self, inst: Instance, state: dict[str, Any]) -> None:
        if state.get("actions") is None:
            return
        new_raw = state["actions"][0] if state.get("actions") else []
        difference = act.first_difference([n.raw for n in inst.tops], new_raw)
        if difference is None:
            return
        message = f"orchestration {inst.name!r} (instance {inst.id!r}) is not deterministic: {difference}"
        self._finish(inst, None, message)
        raise NondeterminismError(message)

    def _add_actions(self, inst: Instance, raws: list[dict[str, Any]], chain: int | None) -> None:
        for i, raw in enumerate(raws):
            try:
                node = act.parse(raw)
            except UnsupportedAction as exc:
                self._finish(inst, None, str(exc))
                raise HostError(f"instance {inst.id!r} ({inst.name}): {exc}") from None
            inst.next_seq = act.number(node, inst.next_seq)
            for leaf in node.leaves():
                leaf.requested_at = self._now
                if leaf.kind == "event":
                    inst.waits.append(leaf)
            if node.kind == "timer" and i == 0 and chain is not None:
                node.long_timer = chain  # the SDK's next segment of a split timer, not a yield
            else:
                inst.yielded = node
                for head in _long_timer_heads(node):
                    if self._us(head.fire_at) - self._now == LONG_TIMER_INTERVAL_US:
                        head.long_timer = head.seq  # the first segment of a timer the SDK split
            inst.tops.append(node)

    def _reconcile_waits(self, inst: Instance, sdk: dict[str, int]) -> None:
        """Take the SDK's count of open waits per event name as the truth: a wait it completed on yield with
        an event it had deferred (early_events="azure") is the latest one of its name."""
        for name in {w.name for w in inst.waits}:
            mine = [w for w in inst.waits if w.name == name]
            for wait in mine[sdk.get(name, 0) :]:
                inst.waits.remove(wait)
                wait.done = True

    def _advance_cursor(self, inst: Instance) -> None:
        """Schedule top-level actions in order, each once every earlier one is complete (.NET awaits them)."""
        while (top := inst.current()) is not None:
            if not top.scheduled:
                self._schedule(inst, top, top.kind)
            if not top.complete():
                return
            inst.cursor += 1

    def _schedule(self, inst: Instance, node: Node, within: str) -> None:
        node.scheduled = True
        if node.kind in ("all", "any"):
            for child in node.children:
                self._schedule(inst, child, within)
        elif node.kind == "activity":
            assert node.seq is not None
            self._start_activity(inst, node, node.seq)
        elif node.kind == "timer":
            assert node.seq is not None
            self._create_timer(inst, node, node.seq, self._us(node.fire_at), "timer", within)
        elif node.kind == "suborch":
            self._start_child(inst, node)

    def _start_activity(self, inst: Instance, node: Node, seq: int) -> None:
        node.seq = seq
        node.attempts += 1
        self._append(
            inst, {"EventType": TASK_SCHEDULED, "EventId": seq, "Name": node.name, "Input": node.input_json}
        )
        begin = time.perf_counter()
        outcome = self.app.run_activity(node.name, node.input_json)
        wall = time.perf_counter() - begin
        call = ActivityCall(inst.id, node.name, _loads(node.input_json), seq, node.attempts, self.now, wall)
        self.activities.append(call)
        event: dict[str, Any]
        if outcome.failed:
            call.error = {"type": str(outcome.error_type), "message": str(outcome.reason)}
            event = {"EventType": TASK_FAILED, "EventId": -1, "TaskScheduledId": seq}
            event |= {"Reason": outcome.reason, "Details": outcome.details}
        else:
            call.result = _loads(outcome.result_json)
            event = {
                "EventType": TASK_COMPLETED,
                "EventId": -1,
                "TaskScheduledId": seq,
                "Result": outcome.result_json,
            }
        done_at = self._now + round(wall * 1_000_000)
        inst.pending.append(Item(done_at, next(self._order), "activity", event, node, call=call))

    def _create_timer(
        self, inst: Instance, node: Node, seq: int, fire_at: int, kind: str, within: str = "retry"
    ) -> None:
        stamp = act.format_time(self._at(fire_at))
        self._append(inst, {"EventType": TIMER_CREATED, "EventId": seq, "FireAt": stamp})
        requested = node.requested_at if kind == "timer" else self._now
        record = TimerRecord(
            inst.id,
            seq,
            kind,
            requested / 1e6,
            fire_at / 1e6,
            (fire_at - requested) / 1e6,
            within,
            node.long_timer,
        )
        self.timers.append(record)
        if node.cancelled:
            record.cancelled = True
            return
        event = {"EventType": TIMER_FIRED, "EventId": -1, "TimerId": seq, "FireAt": stamp}
        inst.pending.append(Item(fire_at, next(self._order), kind, event, node, timer=record))

    def _cancel(self, inst: Instance, timer: Node) -> None:
        for item in list(inst.pending):
            if item.node is timer and item.kind == "timer":
                inst.pending.remove(item)
                if item.timer is not None:
                    item.timer.cancelled = True

    def _start_child(self, inst: Instance, node: Node) -> None:
        assert node.seq is not None
        child_id = str(node.raw.get("instanceId") or f"{inst.id}:{node.seq}")
        self._append(
            inst,
            {
                "EventType": SUB_CREATED,
                "EventId": node.seq,
                "Name": node.name,
                "InstanceId": child_id,
                "Input": node.input_json,
            },
        )
        if child_id in self.instances:
            raise HostError(f"sub-orchestration instance {child_id!r} already exists")
        self.app.orchestrator(node.name)
        node.child = child_id
        inst.children.append(self._create(node.name, node.input_json, child_id, (inst, node)))

    def _finish(self, inst: Instance, output: Any, failure: str | None) -> None:
        inst.status = "Failed" if failure is not None else "Completed"
        inst.output = None if failure is not None else output
        inst.failure = failure
        inst.pending.clear()
        inst.updated = self._now
        result = json.dumps(failure if failure is not None else output)
        self._append(
            inst,
            {
                "EventType": EXECUTION_COMPLETED,
                "EventId": -1,
                "OrchestrationStatus": inst.status,
                "Result": result,
            },
        )
        self._append(inst, {"EventType": ORCHESTRATOR_COMPLETED, "EventId": -1})
        if inst.parent is not None:
            parent, node = inst.parent
            if parent.running:
                event: dict[str, Any] = {"EventId": -1, "TaskScheduledId": node.seq}
                if failure is None:
                    event |= {"EventType": SUB_COMPLETED, "Result": json.dumps(output)}
                else:
                    event |= {"EventType": SUB_FAILED, "Reason": failure, "Details": None}
                parent.pending.append(Item(self._now, next(self._order), "suborch", event, node))


def _long_timer_heads(node: Node) -> Iterator[Node]:
    """The timers that may start a long timer: the one child of a WhenAll (how the SDK's LongTimerTask
    shows), at any depth."""
    if node.kind == "all" and len(node.children) == 1 and node.children[0].kind == "timer":
        yield node.children[0]
    for child in node.children:
        yield from _long_timer_heads(child)


def _loads(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text
