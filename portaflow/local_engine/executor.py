"""Executes one run: the workflow function on its own thread, every durable call recorded or replayed.

The workflow runs straight through while it makes progress (no replay per step: O(N) for N steps). When
it must wait (a timer, an event), its thread *parks* and the engine decides whether to wait in place or
release the run; a parked executor stays cached, so a resume in this process replays nothing (like
Temporal's sticky execution). A resume anywhere else replays the log once.
"""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from portaflow.dsl.context import ChildRun, Context
from portaflow.dsl.decorators import IDEMPOTENCY_PARAM, Step, Workflow
from portaflow.dsl.durations import format_duration
from portaflow.dsl.errors import (
    EventTimeout,
    NonDeterminismError,
    StepFailed,
    WorkflowError,
    error_info,
    make_event_failed,
    make_step_failed,
    resolve_exception_class,
)
from portaflow.dsl.fanout import DEFAULT, Tolerance
from portaflow.dsl.runtime import Wait, set_scope
from portaflow.local_engine import children, eventerrors
from portaflow.local_engine.branches import position_order, run_branches
from portaflow.local_engine.failures import format_traceback, run_error, user_site
from portaflow.local_engine.history import History, PrimRecord, StepRecord
from portaflow.local_engine.scope import RunScope as _Scope
from portaflow.local_engine.scope import dumps as _dumps
from portaflow.local_engine.scope import json_value as _json_value
from portaflow.local_engine.store import CancelRequested, EventRow, LeaseLost, RunRow, failure_of

if TYPE_CHECKING:
    from portaflow.local_engine.engine import Engine

WORKFLOW_LOG = logging.getLogger("portaflow.workflow")  # ctx.log lines, each written once


class _Unwind(BaseException):
    """Stops workflow code that must not go on (evicted, cancelled, lease lost, store failure).

    A BaseException so that ``except Exception`` in workflow code does not swallow it.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


class _Stall(BaseException):
    """Replay diverged from the history: stop without recording anything."""

    def __init__(self, error: NonDeterminismError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class Parked:
    """Every live thread of the workflow waits: for one of ``events`` (in the order of their waits'
    positions) or until ``wake_at`` (if not None), the earliest time any of them is due."""

    wake_at: float | None
    events: tuple[str, ...] = ()

    @property
    def event(self) -> str | None:
        """The event of the lowest-position wait (the only one when a single wait is open)."""
        return self.events[0] if self.events else None


@dataclass(frozen=True)
class Finished:
    """The thread is done: status is completed, failed, cancelled, stalled, lost (lease), evict(ed),
    store (a write failed) or shutdown (its worker stopped before the next step)."""

    status: str
    detail: str = ""


Outcome = Parked | Finished


class Executor:
    """One run's workflow thread and everything it records."""

    STOPPING = (_Stall, _Unwind)  # what stops a branch's thread that the others must stop for too

    def __init__(
        self, engine: Engine, row: RunRow, wf: Workflow[..., Any], events: list[EventRow], fence: int
    ) -> None:
        self.engine = engine
        self.store = engine.store
        self.clock = engine.clock
        self.run_id = row.run_id
        self.wf = wf
        self.kwargs = dict(row.input)
        self.fence = fence
        self.history = History.fold(events)
        self.seq = self.history.last_seq
        self.deadline = self.history.deadline  # @workflow(timeout=...), as recorded when the run started
        self._patched: dict[str, bool] = {}  # change id -> the branch this run takes
        # ChildRun.result() outcomes this execution recorded or replayed: (output, error) by key
        self.child_outcomes: dict[str, tuple[Any, dict[str, str] | None]] = {}
        self.visited: set[str] = set()
        self.interrupt = threading.Event()
        self.ctx = Context(row.run_id)
        self._write_lock = threading.RLock()
        self._dead: str | None = None  # why recording must stop (lease, cancel, evict, store)
        self._stall: _Stall | None = None
        self._cv = threading.Condition()
        self._state = "new"  # new -> running <-> parked -> finished
        self._outcome: Outcome = Finished("new")
        self._command = "go"
        self._thread: threading.Thread | None = None
        # the run parks when no thread runs workflow code: every live thread (the workflow's, a branch's)
        # is parked in a wait of its own, and a thread that waits for its branches does not count
        self._active = 0
        self._waits: dict[int, tuple[str, float | None, str | None]] = {}  # parked: (key, wake_at, event)
        self._generation = 0  # bumped by every "go": parked threads wake to check their wait again
        self._abort: str | None = None  # a branch unwound: every other thread unwinds too
        self._open: dict[str, tuple[str, float | None]] = {}  # open event waits: key -> (name, due)
        self._deliver = threading.Lock()  # one wait at a time decides whether an event is its own
        # set by a worker that is shutting down: no new step attempt starts once it is set (the one under
        # way finishes and is recorded), and the run unwinds to be released for the next worker
        self.halt: threading.Event | None = None

    # ----- driving (called by the engine, never from the workflow thread) ----------------------------

    def drive(self) -> Outcome:
        """Run the workflow until it parks or finishes."""
        with self._cv:
            if self._state == "finished":
                return self._outcome
            if self._state == "new":
                self._state, self._active = "running", 1
                self._thread = threading.Thread(
                    target=self._main, name=f"portaflow-run-{self.run_id}", daemon=True
                )
                self._thread.start()
            elif self._state == "parked":
                self._command, self._state = "go", "running"
                self._wake_all()
            while self._state == "running":
                self._cv.wait()
            return self._outcome

    def _wake_all(self) -> None:
        """Under ``_cv``: every parked thread runs again (to check its wait); they count as live at once,
        so the run cannot park again before each has looked."""
        self._active += len(self._waits)
        self._waits.clear()
        self._generation += 1
        self._cv.notify_all()

    def stop(self, reason: str) -> Outcome:
        """Unwind a parked (or not yet started) workflow: evicted from the cache, cancelled, lease lost."""
        self.interrupt.set()
        with self._cv:
            if self._state == "new":
                self._state, self._outcome = "finished", Finished(reason)
                return self._outcome
            if self._state == "parked":
                self._command, self._state = reason, "running"
                self._wake_all()
            while self._state == "running":
                self._cv.wait()
            return self._outcome

    @property
    def parked(self) -> bool:
        return self._state == "parked"

    def _park(self, key: str, wake_at: float | None, event: str | None) -> None:
        """Park this thread in its wait ``key``; the run parks once no thread of it runs workflow code."""
        if self.deadline is not None:  # the worker wakes the run at its deadline at the latest
            wake_at = self.deadline if wake_at is None else min(wake_at, self.deadline)
        me = threading.get_ident()
        with self._cv:
            if self._abort is None:
                generation = self._generation
                self._waits[me] = (key, wake_at, event)
                self._active -= 1
                self._settle_parked()
                while self._generation == generation and self._abort is None:
                    self._cv.wait()
                if me in self._waits:  # woken by an abort, not by a "go" (which counts it live again)
                    del self._waits[me]
                    self._active += 1
            command, abort = self._command, self._abort
        if abort is not None:  # a sibling branch unwound: this one stops without recording anything
            raise _Unwind(abort)
        if command != "go":
            self._dead = self._dead or command
            raise _Unwind(command)
        self._check_deadline()

    def _settle_parked(self) -> None:
        """Under ``_cv``: when no thread runs, the run is parked on the union of the threads' waits."""
        if self._active > 0 or not self._waits or self._abort is not None:  # an abort: they unwind
            return
        waits = sorted(self._waits.values(), key=lambda w: position_order(w[0]))
        dues = [w[1] for w in waits if w[1] is not None]
        events = tuple(dict.fromkeys(w[2] for w in waits if w[2] is not None))
        self._outcome, self._state = Parked(min(dues) if dues else None, events), "parked"
        self._cv.notify_all()

    def hand_over(self, threads: int) -> None:
        """The calling thread waits for ``threads`` new branch threads, which take its place as live."""
        with self._cv:
            self._active += threads - 1

    def branch_thread_done(self, last: bool) -> None:
        """A branch thread ended: the last one hands its place back to the caller, which runs again."""
        if last:
            return
        with self._cv:
            self._active -= 1
            self._settle_parked()

    @property
    def aborting(self) -> bool:
        return self._abort is not None

    def abort_branches(self, reason: str) -> None:
        """A branch unwound (evicted, cancelled, lease lost, stalled): the parked ones unwind too."""
        with self._cv:
            if self._abort is None:
                self._abort = reason
                self._cv.notify_all()

    def _check_deadline(self) -> None:
        """Past the workflow's execution timeout, the run fails (the workflow cannot catch that)."""
        if self.deadline is not None and self.clock.now() >= self.deadline:
            self._dead = self._dead or "timeout"
            raise _Unwind(self._dead)

    def _finish(self, outcome: Finished) -> None:
        with self._cv:
            self._outcome, self._state = outcome, "finished"
            self._cv.notify_all()

    # ----- the workflow thread ----------------------------------------------------------------------

    def _main(self) -> None:
        root = _Scope(self, "", can_park=True)
        set_scope(root)
        try:
            try:
                output = self.wf.fn(self.ctx, **self.kwargs)
            finally:
                set_scope(None)
            self._check_stall()
            self._check_fully_replayed()
            try:
                _, out_json = _json_value(output, f"the result of workflow {self.wf.name!r}")
            except WorkflowError as exc:
                self._finish_run("failed", None, _dumps({"type": "TypeError", "message": str(exc)}))
            else:
                self._finish_run("completed", out_json, None)
            self._finish(Finished("completed"))
        except _Unwind as unwind:
            self._finish(self._after_unwind(unwind))
        except _Stall as stall:
            self._finish(Finished("stalled", str(stall.error)))
        except BaseException as exc:  # the workflow raised: the run fails with that error
            self._fail_with(exc)

    def _fail_with(self, exc: BaseException) -> None:
        try:
            if self._stall is not None:
                raise self._stall
            if self._dead is not None:
                raise _Unwind(self._dead)
            self._check_fully_replayed()
            self._finish_run("failed", None, _dumps(run_error(exc)))
            self._finish(Finished("failed"))
        except _Unwind as unwind:
            self._finish(self._after_unwind(unwind))
        except _Stall as stall:
            self._finish(Finished("stalled", str(stall.error)))

    def _after_unwind(self, unwind: _Unwind) -> Finished:
        reason = self._dead or unwind.reason
        if self._stall is not None:
            return Finished("stalled", str(self._stall.error))
        if reason == "timeout":
            try:
                self._finish_run("failed", None, _dumps(self._timeout_error()))
                return Finished("failed")
            except _Unwind as again:  # cancelled, or the lease lost, meanwhile
                return self._after_unwind(again)
        if reason == "cancel":
            try:
                self._finish_run("cancelled", None, None)
                return Finished("cancelled")
            except (LeaseLost, sqlite3.Error) as exc:
                return Finished("lost", str(exc))
        return Finished(reason, unwind.detail)

    def _finish_run(self, status: str, out_json: str | None, err_json: str | None) -> None:
        with self._write_lock:
            if status != "cancelled" and self._dead not in (None, "timeout"):
                raise _Unwind(self._dead)
            seq = self.seq + 1
            kind = {"completed": "run_completed", "failed": "run_failed", "cancelled": "run_cancelled"}[
                status
            ]
            data = (
                "{}"
                if status == "cancelled"
                else (
                    '{"output":' + out_json + "}"
                    if out_json is not None
                    else '{"error":' + str(err_json) + "}"
                )
            )
            try:
                self.store.finish(
                    self.run_id,
                    self.engine.owner.id,
                    self.fence,
                    seq,
                    kind,
                    data,
                    self.clock.now(),
                    status,
                    out_json,
                    err_json,
                )
            except (LeaseLost, CancelRequested, sqlite3.Error) as exc:
                raise self._write_refused(exc) from None
            self.seq = seq
        self.engine.report(self.run_id, status, {"error": json.loads(err_json)} if err_json else {})

    # ----- recording --------------------------------------------------------------------------------

    def _record(
        self,
        kind: str,
        key: str,
        name: str | None,
        data: dict[str, Any],
        data_json: str | None = None,
        consume_signal: int | None = None,
    ) -> None:
        with self._write_lock:
            self._check_stall()
            if self._dead is not None:
                raise _Unwind(self._dead)
            seq = self.seq + 1
            try:
                self.store.append(
                    self.run_id,
                    self.engine.owner.id,
                    self.fence,
                    seq,
                    kind,
                    key,
                    name,
                    data_json if data_json is not None else _dumps(data),
                    self.clock.now(),
                    consume_signal=consume_signal,
                )
            except (LeaseLost, CancelRequested, sqlite3.Error) as exc:
                raise self._write_refused(exc) from None
            self.seq = seq
            # live execution never looks a new record up again, so the replay index is not extended:
            # it keeps describing exactly what was loaded, which is what the replay checks compare

    def _timeout_error(self) -> dict[str, str]:
        limit = format_duration(self.history.timeout) if self.history.timeout is not None else "?"
        until = datetime.fromtimestamp(float(self.deadline or 0), UTC).strftime("%Y-%m-%d %H:%M:%S")
        return {
            "type": "WorkflowTimeout",
            "message": f"workflow {self.wf.name!r} passed its execution timeout of {limit} "
            f"(@workflow(timeout=...)): the run had until {until} UTC",
        }

    def _write_refused(self, exc: Exception) -> _Unwind:
        """Why this executor may record nothing more: its lease was taken, cancellation, or the database."""
        if isinstance(exc, LeaseLost):
            self._dead = "lost"
            return _Unwind("lost")
        if isinstance(exc, CancelRequested):
            self._dead = "cancel"
            return _Unwind("cancel")
        self._dead = "store"
        return _Unwind("store", f"the database refused a write: {exc}")

    def _check_stall(self) -> None:
        if self._stall is not None:
            raise self._stall

    def _diverged(self, key: str, recorded: str, asked: str, site: str | None = None) -> _Stall:
        where = f"step position {key}" if "p" not in key else f"context call {key}"
        error = NonDeterminismError(
            f"{site or user_site()}: replay of run {self.run_id} diverged at {where}: the history recorded "
            f"{recorded}, the code now asks for {asked}. Restore the code path that runs started before "
            "the change take (or cancel those runs); the run resumes once its code matches its history."
        )
        self._stall = _Stall(error)
        return self._stall

    def _check_fully_replayed(self) -> None:
        expected = len(self.history.steps) + len(self.history.prims)
        if len(self.visited) == expected:
            return
        missing = sorted((set(self.history.steps) | set(self.history.prims)) - self.visited)
        key = missing[0]
        if key in self.history.steps:
            what = f"step {self.history.steps[key].name!r}"
        else:
            what = f"ctx.{self.history.prims[key].kind}()"
        code = self.wf.fn.__code__
        raise self._diverged(
            key,
            what,
            "nothing (the code no longer makes that call)",
            f"{code.co_filename}:{code.co_firstlineno}",
        )

    def _step_record(self, path: str, name: str) -> StepRecord | None:
        rec = self.history.steps.get(path)
        if rec is not None:
            if rec.name != name:
                raise self._diverged(path, _describe(rec.name), _describe(name))
            self.visited.add(path)
        return rec

    def _marker(self, path: str, name: str, data: dict[str, Any]) -> None:
        if self._step_record(path, name) is None:
            self._record("call_started", path, name, data)

    # ----- steps ------------------------------------------------------------------------------------

    def run_step(
        self,
        scope: _Scope,
        step: Step[..., Any],
        path: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        site: str | None = None,
    ) -> Any:
        """Replay the step's recorded outcome, or attempt it (with retries) and record each attempt.

        ``site`` is the workflow's file:line of the call, when the caller is not on the stack (a map item).
        """
        key = f"{self.run_id}:{path}"
        call_args, args_json = _json_value([list(args), kwargs], f"the arguments of step {step.name!r}")
        pos_args, kw_args = call_args
        if (
            step.takes_idempotency_key
            and IDEMPOTENCY_PARAM not in kw_args
            and (step.key_position is None or len(pos_args) <= step.key_position)
        ):
            kw_args[IDEMPOTENCY_PARAM] = key
        rec = self._step_record(path, step.name)
        if rec is not None and rec.done:
            if rec.error is not None:
                raise self._step_failure(step.name, rec.error, rec.failures)
            return rec.result
        failures = rec.failures if rec is not None else 0
        retry_at = rec.retry_at if rec is not None else None
        head = f'"idempotency_key":{_dumps(key)},"args":{args_json}'
        policy = step.retry
        while True:
            if retry_at is not None:
                self._wait_until(path, retry_at)
            self._check_deadline()
            if self.halt is not None and self.halt.is_set():
                if scope.can_park:  # the workflow thread: nothing else of this run is recording now
                    self._dead = self._dead or "shutdown"
                raise _Unwind("shutdown")  # a branch: the others' steps under way are still recorded
            attempt = failures + 1
            self.engine.report(
                self.run_id, "step_started", {"step": step.name, "attempt": attempt, "key": key}
            )
            started = time.perf_counter()
            ok, value, error = self._attempt(step, pos_args, kw_args)
            duration = time.perf_counter() - started
            fatal = False  # a non-JSON result is a bug in the step: retrying cannot help
            if ok:
                try:
                    result, result_json = _json_value(value, f"the result of step {step.name!r}")
                except WorkflowError as exc:
                    ok, error, fatal = False, TypeError(str(exc)), True
            if ok:
                data_json = f'{{"attempt":{attempt},{head},"duration":{duration:.6f},"result":{result_json}}}'
                self._record(
                    "step_completed",
                    path,
                    step.name,
                    {"attempt": attempt, "result": result},
                    data_json,
                )
                self.engine.report(
                    self.run_id,
                    "step_completed",
                    {"step": step.name, "attempt": attempt, "duration": duration},
                )
                return result
            assert error is not None
            info: dict[str, Any] = {**error_info(error), "traceback": format_traceback(error)}
            info["site"] = site = site or user_site()
            retryable = not fatal and policy.is_retryable(error)
            if retryable and attempt < policy.max_attempts:
                delay = policy.delay_after(attempt, key)
                retry_at = self.clock.now() + delay
                self._record(
                    "step_attempt_failed",
                    path,
                    step.name,
                    {"attempt": attempt, "retry_at": retry_at},
                    f'{{"attempt":{attempt},{head},"duration":{duration:.6f},"error":{_dumps(info)},'
                    f'"delay":{_dumps(delay)},"retry_at":{_dumps(retry_at)}}}',
                )
                self.engine.report(
                    self.run_id,
                    "step_retry",
                    {"step": step.name, "attempt": attempt, "error": info, "delay": delay},
                )
                failures = attempt
                continue
            reason = "attempts exhausted" if retryable else "non-retryable error"
            self._record(
                "step_failed",
                path,
                step.name,
                {"attempt": attempt, "error": info},
                f'{{"attempt":{attempt},{head},"duration":{duration:.6f},"error":{_dumps(info)},'
                f'"reason":{_dumps(reason)}}}',
            )
            self.engine.report(
                self.run_id,
                "step_failed",
                {"step": step.name, "attempt": attempt, "error": info, "reason": reason},
            )
            raise self._step_failure(step.name, info, attempt, type(error))

    def _attempt(
        self, step: Step[..., Any], args: list[Any], kwargs: dict[str, Any]
    ) -> tuple[bool, Any, BaseException | None]:
        previous = set_scope(None)  # inside a step, steps are plain calls
        try:
            if step.timeout is None:
                return True, step.fn(*args, **kwargs), None
            future = self.engine.run_with_timeout(lambda: step.fn(*args, **kwargs), step.timeout)
            if future is None:
                return (
                    False,
                    None,
                    TimeoutError(f"step {step.name!r} timed out after {format_duration(step.timeout)}"),
                )
            return True, future.result(), None
        except Exception as exc:
            return False, None, exc
        finally:
            set_scope(previous)

    def _step_failure(
        self, name: str, info: dict[str, Any], attempts: int, cls: type[BaseException] | None = None
    ) -> StepFailed:
        if cls is None and "qualname" in info:
            cls = resolve_exception_class(info.get("module"), info["qualname"])
        elif cls is None:
            cls = resolve_exception_class("builtins", info["type"])
        exc = make_step_failed(name, info["type"], info["message"], attempts, cls)
        exc.traceback, exc.site = info.get("traceback"), info.get("site")
        return exc

    # ----- waiting ----------------------------------------------------------------------------------

    def _wait_until(self, key: str, deadline: float) -> None:
        while self.clock.now() < deadline:
            self._park(key, deadline, None)

    def sleep(self, scope: _Scope, seconds: float) -> None:
        key = scope.next_prim("sleep")
        rec = self._prim_record(key, "sleep", None)
        if rec is not None and rec.done:
            return
        self._check_deadline()
        if rec is None:
            due = self.clock.now() + seconds
            self._record(
                "timer_started", key, None, {"fire_at": due}, _dumps({"fire_at": due, "seconds": seconds})
            )
        else:
            due = float(rec.due or 0)
        self.engine.report(self.run_id, "sleeping", {"until": due, "seconds": seconds})
        self._wait_until(key, due)
        self._record("timer_fired", key, None, {})

    def wait_for_event(self, scope: _Scope, name: str, timeout: float | None, wait: Wait) -> Any:
        key = scope.next_prim("wait_for_event")
        rec = self._prim_record(key, "wait", name)
        if rec is not None and rec.done:
            return self._wait_outcome(name, rec.value, rec.error, rec.timeout, wait, rec.timed_out)
        if rec is None:
            due = None if timeout is None else self.clock.now() + timeout
            started: dict[str, Any] = {"timeout_at": due, "timeout": timeout}
            if wait.label is not None:
                started["label"] = wait.label
            self._record("wait_started", key, name, {"timeout_at": due}, _dumps(started))
        else:
            due, timeout = rec.due, rec.timeout
        self._open[key] = (name, due)
        try:
            return self._await_event(key, name, due, timeout, wait)
        finally:
            self._open.pop(key, None)

    def _await_event(self, key: str, name: str, due: float | None, timeout: float | None, wait: Wait) -> Any:
        announced = False
        while True:
            self._check_deadline()
            with self._deliver:
                signal = self._signal_for(key, name)
                if signal is not None:
                    return self._take_event(key, name, signal, timeout, wait)
            if due is not None and self.clock.now() >= due:
                self._record("event_timed_out", key, name, {"payload": None})
                self.engine.report(self.run_id, "event_timed_out", {"event": name})
                return self._wait_outcome(name, None, None, timeout, wait, timed_out=True)
            if not announced:
                self.engine.report(
                    self.run_id, "waiting", {"event": name, "timeout_at": due, "label": wait.label}
                )
                announced = True
            self._park(key, due, name)

    def _signal_for(self, key: str, name: str) -> tuple[int, str, float] | None:
        """The oldest buffered event ``name``, if it is this wait's: of the waits for ``name`` open now that
        may take it (received at or before their deadline), the one at the lowest position takes it."""
        signal = self.store.next_signal(self.run_id, name)
        if signal is None:
            return None
        takers = [k for k, (n, d) in list(self._open.items()) if n == name and (d is None or signal[2] <= d)]
        if key not in takers or min(takers, key=position_order) != key:
            return None
        return signal

    def _take_event(
        self, key: str, name: str, signal: tuple[int, str, float], timeout: float | None, wait: Wait
    ) -> Any:
        signal_id, payload_json, _ = signal
        failure = failure_of(payload_json)
        if failure is not None:
            self._record(
                "event_failed",
                key,
                name,
                {"error": failure},
                _dumps({"signal": signal_id, "error": failure}),
                consume_signal=signal_id,
            )
            self.engine.report(self.run_id, "event_failed", {"event": name, "error": failure})
            return self._wait_outcome(name, None, failure, timeout, wait)
        payload = json.loads(payload_json)
        self._record(
            "event_received",
            key,
            name,
            {"payload": payload},
            f'{{"signal":{signal_id},"payload":{payload_json}}}',
            consume_signal=signal_id,
        )
        self.engine.report(self.run_id, "event_received", {"event": name})
        return payload

    def _wait_outcome(
        self,
        name: str,
        payload: Any,
        failure: dict[str, str] | None,
        timeout: float | None,
        wait: Wait,
        timed_out: bool = False,
    ) -> Any:
        """What a finished wait gives the workflow: the payload, None or EventTimeout after the timeout, or
        the EventFailed of a failure event (the same on replay as the first time)."""
        if failure is not None:
            cls = eventerrors.resolve(self.wf, failure["type"])
            raise make_event_failed(name, failure["type"], failure["message"], cls)
        if timed_out and wait.raise_on_timeout:
            raise EventTimeout(name, timeout or 0.0)
        return payload

    def _prim_record(self, key: str, kind: str, name: str | None) -> PrimRecord | None:
        rec = self.history.prims.get(key)
        if rec is None:
            return None
        if rec.kind != kind or rec.name != name:
            recorded = f"ctx.{rec.kind}({rec.name!r})" if rec.name else f"ctx.{rec.kind}()"
            asked = f"ctx.{kind}({name!r})" if name else f"ctx.{kind}()"
            raise self._diverged(
                key,
                recorded.replace("ctx.wait(", "ctx.wait_for_event("),
                asked.replace("ctx.wait(", "ctx.wait_for_event("),
            )
        self.visited.add(key)
        return rec

    def patched(self, scope: _Scope, change_id: str) -> bool:
        """A change's marker: True where recorded, or where this run records history for the first time;
        False where the run's history went past this point without one (recorded by the old code).

        The marker has no position (key ``patch:ID``), so adding the call shifts no other call's position.
        """
        if not scope.can_park:
            raise WorkflowError(
                "ctx.patched() cannot be used inside a ctx.parallel or ctx.map branch: call it before the "
                "parallel part and pass the result"
            )
        known = self._patched.get(change_id)
        if known is not None:  # decided once per run: every call of the change answers the same
            return known
        if change_id in self.history.patches:
            self._patched[change_id] = True
            return True
        replaying = len(self.visited) < len(self.history.steps) + len(self.history.prims)
        if replaying:  # recorded calls lie ahead: the old code went on from here without the marker
            self._patched[change_id] = False
            return False
        self._check_deadline()
        self._record("patch_recorded", f"patch:{change_id}", change_id, {}, _dumps({"site": user_site()}))
        self._patched[change_id] = True
        return True

    def write_log(self, position: str, n: int, message: str, fields: dict[str, Any]) -> None:
        """Line ``n`` of ``ctx.log`` at step position ``position``: recorded, then given to the logger
        ``portaflow.workflow``, unless the history has it (a replay) or recorded calls lie ahead (the
        line was added to code this run had already gone past). Never checked against the history: a line
        added or removed is no divergence."""
        key = f"log:{position}#{n}"
        if key in self.history.logs or len(self.visited) < len(self.history.steps) + len(self.history.prims):
            return
        _, fields_json = _json_value(fields, "the fields of ctx.log")
        site = user_site()
        data = f'{{"message":{_dumps(message)},"position":{_dumps(position)},"fields":{fields_json},'
        self._record("log_written", key, None, {}, data + f'"site":{_dumps(site)}}}')
        WORKFLOW_LOG.info(
            "%s (run %s, step %s)",
            message,
            self.run_id,
            position,
            extra={"run_id": self.run_id, "position": position, "workflow": self.wf.name, "fields": fields},
        )
        self.engine.report(self.run_id, "log", {"message": message, "position": position, "fields": fields})

    def record_value(self, scope: _Scope, kind: str, make: Callable[[], Any]) -> Any:
        key = scope.next_prim(kind)
        rec = self._prim_record(key, kind, None)
        if rec is not None:
            return rec.value
        self._check_deadline()
        value = make()
        self._record("value_recorded", key, None, {"kind": kind, "value": value})
        return value

    # ----- composition: child workflows, map, parallel -------------------------------------------------

    def run_child(
        self,
        scope: _Scope,
        wf: Workflow[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        path: str | None = None,
    ) -> Any:
        """Run the child workflow inline at ``path`` (the scope's next position, or a map item's)."""
        if args and isinstance(args[0], Context):
            args = args[1:]  # child(ctx, ...) mirrors the child's signature; the child gets this run's ctx
        # the child gets copies, as a step does and as every cloud target passes a child's input
        (args_list, kwargs), _ = _json_value(
            [list(args), kwargs], f"the arguments of child workflow {wf.name!r}"
        )
        args = tuple(args_list)
        path = scope.next_path() if path is None else path
        name = f"workflow:{wf.name}"
        rec = self._step_record(path, name)
        if rec is not None and rec.returned:  # checkpointed: the child's body does not run again
            prefix = f"{path}."
            self.visited.update(k for k in (*self.history.steps, *self.history.prims) if k.startswith(prefix))
            return rec.result
        self._marker(path, name, {})
        child = _Scope(self, f"{path}.", can_park=scope.can_park)
        previous = set_scope(child)
        try:
            output = wf.fn(self.ctx, *args, **kwargs)
        finally:
            set_scope(previous)
        result, result_json = _json_value(output, f"the result of child workflow {wf.name!r}")
        self._record("call_completed", path, name, {"result": result}, f'{{"result":{result_json}}}')
        return result

    def start_child(
        self, scope: _Scope, wf: Workflow[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> ChildRun:
        return children.start_child(self, scope, wf, args, kwargs)

    def child_result(self, scope: _Scope, handle: ChildRun) -> Any:
        return children.child_result(self, scope, handle)

    def run_map(
        self,
        scope: _Scope,
        fn: Step[..., Any] | Workflow[..., Any],
        items: Sequence[Any],
        max_concurrency: int | None,
        policy: Tolerance = DEFAULT,
    ) -> list[Any]:
        """``fn(item)`` for every item: a step's item is the step call at ``n.i``; a workflow's item is the
        child workflow ``fn(ctx, item)`` at ``n.i``, its own calls numbered under ``n.i.``."""
        path = scope.next_path()
        site = user_site()  # the ctx.map line: the items run on threads where it is not on the stack
        kind = "map:" if isinstance(fn, Step) else "map:workflow:"
        self._marker(path, f"{kind}{fn.name}", {"items": len(items), "max_concurrency": max_concurrency})
        branch = _Scope(self, f"{path}.", can_park=False)
        calls: list[Callable[[], Any]]
        if isinstance(fn, Step):
            calls = [
                functools.partial(self.run_step, branch, fn, f"{path}.{i}", (item,), {}, site)
                for i, item in enumerate(items)
            ]
        else:
            calls = [
                functools.partial(self.run_child, branch, fn, (item,), {}, f"{path}.{i}")
                for i, item in enumerate(items)
            ]
        return run_branches(self, calls, max_concurrency, [branch] * len(calls), policy, "item")

    def run_parallel(
        self,
        scope: _Scope,
        branches: Sequence[Callable[[], Any]],
        max_concurrency: int | None = None,
        policy: Tolerance = DEFAULT,
    ) -> list[Any]:
        path = scope.next_path()
        self._marker(path, f"parallel:{len(branches)}", {"branches": len(branches)})
        scopes = [_Scope(self, f"{path}.{b}.", can_park=False) for b in range(len(branches))]

        def run(b: int) -> Any:
            return _json_value(branches[b](), f"the result of ctx.parallel branch {b}")[0]

        calls: list[Callable[[], Any]] = [functools.partial(run, b) for b in range(len(branches))]
        return run_branches(self, calls, max_concurrency, scopes, policy, "branch")


def _describe(name: str) -> str:
    if name.startswith("map:"):
        return f"ctx.map({name[4:]})"
    if name.startswith("parallel:"):
        return f"ctx.parallel with {name[9:]} branches"
    if name.startswith("run:"):
        return f"ctx.start_workflow({name[4:]})"
    if name.startswith("workflow:"):
        return f"child workflow {name[9:]!r}"
    return f"step {name!r}"
