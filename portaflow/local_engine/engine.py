"""The local durable engine: start, signal, drive and recover runs stored in one SQLite file.

Any number of engines (threads or processes) may share a database: a run is executed by whoever holds
its lease, every write is fenced, and a run whose owner died is taken over by the next engine that looks.
"""

from __future__ import annotations

import builtins
import json
import math
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portaflow.dsl.decorators import Workflow
from portaflow.dsl.durations import Duration, parse_duration
from portaflow.dsl.errors import (
    NonDeterminismError,
    PortaflowError,
    RunNotFound,
    WorkflowError,
    WorkflowFailed,
    WorkflowTimeout,
)
from portaflow.local_engine.childlinks import CHILD_EVENT
from portaflow.local_engine.clock import Clock, SystemClock, VirtualClock
from portaflow.local_engine.executor import Executor, Finished
from portaflow.local_engine.loader import (
    bind_input,
    forget,
    ref_key,
    resolve_ref,
    source_stamp,
    user_files,
    workflow_ref,
)
from portaflow.local_engine.owner import Owner
from portaflow.local_engine.retrying import PendingRetry, pending_retries
from portaflow.local_engine.runs import HistoryEvent, RunHandle, RunStatus
from portaflow.local_engine.store import TERMINAL, LeaseLost, RunRow, Store, failure_text

if TYPE_CHECKING:
    from portaflow.local_engine.schedules import Scheduler, Upcoming

Reporter = Callable[[str, str, dict[str, Any]], None]

WORKER_INLINE_WAIT = 2.0  # a worker waits in place for timers due this soon instead of releasing the run
SOURCE_CHECK_INTERVAL = 0.5  # how often a worker looks whether the code of a stalled run was changed


def default_db_path() -> str:
    """``$PORTAFLOW_DB``, else ``.portaflow/runs.db`` under the current folder."""
    return os.environ.get("PORTAFLOW_DB") or str(Path(".portaflow") / "runs.db")


class Engine:
    """The built-in durable engine. ``Engine(":memory:")`` is not durable; pass a file path for that."""

    def __init__(
        self,
        db: str | os.PathLike[str] | None = None,
        *,
        clock: Clock | None = None,
        durable: bool = True,
        lease: Duration = "30s",
        stall_retry: Duration = "10s",
        reporter: Reporter | None = None,
        workflows: Iterable[Workflow[..., Any]] = (),
        cache_size: int = 256,
    ) -> None:
        self.store = Store(db if db is not None else default_db_path(), durable=durable)
        self.clock: Clock = clock or SystemClock()
        self.owner = Owner.new()
        self.lease_seconds = parse_duration(lease, what="lease")
        self.stall_retry = parse_duration(stall_retry, what="stall_retry")
        self.reporter = reporter
        self._reporter_failed: set[str] = set()
        self.cache_size = cache_size
        self._workflows: dict[str, Workflow[..., Any]] = {}
        for wf in workflows:
            self.register(wf)
        self._cache: OrderedDict[str, Executor] = OrderedDict()
        self._running: dict[str, Executor] = {}
        self._busy: set[str] = set()
        self._lock = threading.RLock()
        self._heartbeat: threading.Thread | None = None
        self._closed = threading.Event()
        self._stalled_retried = False  # a worker retries every stalled run once, when it starts
        # stalled runs whose code is watched: run id -> (the user's source files, their stamp at the stall)
        self._stall_watch: dict[str, tuple[list[Path], tuple[tuple[str, int, int], ...]]] = {}

    # ----- lifecycle ----------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop heartbeats and cached workflow threads; runs stay in the database for the next engine."""
        if self._closed.is_set():
            return
        self._closed.set()
        with self._lock:
            cached = list(self._cache.values())
            self._cache.clear()
        for ex in cached:
            ex.stop("evict")
        if self._heartbeat is not None:
            self._heartbeat.join(timeout=5)
        self.owner.retire()
        self.store.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def register(self, wf: Workflow[..., Any]) -> None:
        """Make a workflow resolvable by runs stored with its reference (workers of user code)."""
        if not isinstance(wf, Workflow):
            raise PortaflowError(f"{wf!r} is not a @workflow function")
        self._workflows[ref_key(workflow_ref(wf))] = wf

    @staticmethod
    def run_with_timeout(fn: Callable[[], Any], timeout: float) -> Future[Any] | None:
        """Run ``fn`` on a daemon thread; its future, or None if it did not finish within ``timeout``.

        An attempt that overruns is abandoned on its thread, which never delays the process's exit.
        """
        future: Future[Any] = Future()

        def target() -> None:
            try:
                future.set_result(fn())
            except BaseException as exc:  # delivered to the waiting attempt
                future.set_exception(exc)

        threading.Thread(target=target, name="portaflow-step", daemon=True).start()
        done, _ = wait([future], timeout=timeout)
        return future if done else None

    def report(self, run_id: str, kind: str, fields: dict[str, Any]) -> None:
        """Tell the reporter; an exception of the reporter is logged once per kind and never reaches the
        run (it raised inside the workflow's thread, which then hung: `Engine.start` never returned)."""
        if self.reporter is None:
            return
        try:
            self.reporter(run_id, kind, fields)
        except Exception:
            if kind not in self._reporter_failed:
                self._reporter_failed.add(kind)
                import logging  # only when a reporter fails

                logging.getLogger("portaflow.engine").exception(
                    "the engine's reporter raised on %r (run %s); its later errors for that kind are ignored",
                    kind,
                    run_id,
                )

    # ----- starting and signalling ------------------------------------------------------------------

    def submit(self, wf: Workflow[..., Any], input: Any = None, *, run_id: str | None = None) -> RunHandle:
        """Record a new run without executing it (a worker will). An existing ``run_id`` is returned as is."""
        return self._submit(wf, input, run_id)

    def _submit(
        self,
        wf: Workflow[..., Any],
        input: Any,
        run_id: str | None,
        started: dict[str, Any] | None = None,
        check_id: bool = True,
    ) -> RunHandle:
        """``submit``, with more fields for the ``run_started`` event (``retry_of``...); ``check_id`` off
        for the engine's own ids (a schedule's ``name@tick``)."""
        if not isinstance(wf, Workflow):
            raise PortaflowError(f"{wf!r} is not a @workflow function")
        kwargs = bind_input(wf, input)
        if run_id is None:
            run_id = f"run-{uuid.uuid4().hex[:16]}"
        elif check_id and (
            not isinstance(run_id, str)
            or not run_id
            or len(run_id) > 80
            or not all(c.isalnum() or c in "-_." for c in run_id)
        ):
            raise PortaflowError(f"run id {run_id!r} must be 1-80 letters, digits, '-', '_' or '.'")
        self.register(wf)
        if wf.timeout is not None:  # recorded once: the deadline holds across restarts and workers
            started = {**(started or {}), "deadline": self.clock.now() + wf.timeout, "timeout": wf.timeout}
        existing = self.store.create_run(
            run_id,
            wf.name,
            workflow_ref(wf),
            json.dumps(kwargs, separators=(",", ":")),
            self.clock.now(),
            started,
        )
        if existing is not None and existing.workflow != wf.name:
            raise PortaflowError(
                f"run id {run_id!r} is already used by a run of workflow {existing.workflow!r}"
            )
        return RunHandle(self, run_id, existed=existing is not None)

    def start(self, wf: Workflow[..., Any], input: Any = None, *, run_id: str | None = None) -> RunHandle:
        """Start a run and execute it here until it completes, fails or waits for an event.

        Timers are waited out in place (instantly on a virtual clock).
        """
        handle = self.submit(wf, input, run_id=run_id)
        self.execute(handle.run_id)
        return handle

    def signal(
        self,
        run_id: str,
        event: str,
        payload: Any = None,
        *,
        error: tuple[str, str] | None = None,
        max_wait: Duration | None = None,
    ) -> RunStatus:
        """Record an event for the run durably (buffered until it waits for it), then continue the run.

        ``error=(type, message)`` delivers the event as a failure instead of a payload: the wait raises
        ``EventFailed`` (also an instance of the class ``type`` names, docs/semantics.md, "Events")."""
        self.deliver(run_id, event, payload, error=error)
        return self.execute(run_id, max_wait=max_wait)

    def deliver(
        self,
        run_id: str,
        event: str,
        payload: Any = None,
        *,
        error: tuple[str, str] | None = None,
        only_if_waiting: bool = False,
    ) -> int:
        """Record an event for the run durably, as ``signal`` does, without executing anything here: a
        worker (or the run's owner) consumes it at its next look at the database. Returns its id.

        ``error``: as in ``signal``. ``only_if_waiting``: record it only if the run waits for that event now
        (not answered already, not timed out), checked in the same transaction as the write, else raise
        ``NotWaiting``; two people answering the same wait at once (or a double click) record one event
        (``portaflow ui`` uses it).
        """
        if not isinstance(event, str) or not event:
            raise PortaflowError("an event needs a non-empty name")
        if event.startswith(CHILD_EVENT):
            raise PortaflowError(
                f"event names starting with {CHILD_EVENT!r} are the engine's own: a child run's end wakes "
                "its parent with one"
            )
        if error is not None:
            if payload is not None:
                raise PortaflowError(f"event {event!r}: give a payload or an error, not both")
            text = failure_text(event, error)
        else:
            try:
                text = json.dumps(payload, allow_nan=False, separators=(",", ":"))
            except (TypeError, ValueError) as exc:
                raise PortaflowError(f"the payload of event {event!r} must be JSON: {exc}") from None
        return self.store.add_signal(run_id, event, text, self.clock.now(), only_if_waiting=only_if_waiting)

    def cancel(self, run_id: str) -> RunStatus:
        """Cancel the run: at once if nobody executes it, else its owner stops it at its next step."""
        outcome = self.store.request_cancel(run_id, self.clock.now(), time.time())
        with self._lock:
            running = self._running.get(run_id)
            cached = self._cache.pop(run_id, None)
        if cached is not None:
            cached.stop("evict")
        if outcome == "cancelling" and running is not None:
            running.interrupt.set()
        return self.status(run_id)

    def retry(
        self,
        run_id: str,
        *,
        from_start: bool = False,
        new_run_id: str | None = None,
        max_wait: Duration | None = None,
    ) -> RunHandle:
        """Restart a failed or cancelled run and execute it here (as ``start`` does); docs/api.md.

        By default the run itself resumes: its recorded steps replay, its failed step is attempted again
        with a fresh attempt budget. ``from_start`` starts a new run (``new_run_id``, else a fresh id) of
        the same workflow with the same input; its handle is returned.
        """
        from portaflow.local_engine import restart

        if from_start:
            return restart.start_again(self, run_id, new_run_id, max_wait)
        if new_run_id is not None:
            raise PortaflowError("a new run id is for a retry from the start (--from-start)")
        return restart.resume(self, run_id, max_wait)

    def prune(
        self, older_than: Duration, *, statuses: Iterable[str] | None = None, dry_run: bool = False
    ) -> int:
        """Delete the finished runs (``statuses``: completed, failed, cancelled; all by default) that
        finished more than ``older_than`` ago, with their history, in batches; how many. Never a run that
        is running or waiting. ``dry_run`` only counts them."""
        from portaflow.local_engine.retention import prune

        age = parse_duration(older_than, what="older_than")
        return prune(self.store, self.clock.now() - age, statuses, dry_run=dry_run)

    # ----- reading ----------------------------------------------------------------------------------

    def status(self, run_id: str) -> RunStatus:
        """Where the run stands now (``RunNotFound`` for an unknown id); a run waiting out a step's retry
        delay says which step, the attempt that failed and its error (``RunStatus.retrying``)."""
        row = self.store.get_run(run_id)
        if row.status != "waiting" or row.wake_at is None:
            return self._status_of(row)
        return self._status_of(row, pending_retries(self.store.load_events(run_id)))

    def history(self, run_id: str) -> list[HistoryEvent]:
        """The run's event log, in order: what ``portaflow history`` prints."""
        self.store.get_run(run_id)
        return self.store.load_events(run_id)

    def list_runs(self, status: str | None = None) -> list[RunStatus]:
        """Every run, oldest first; ``status`` keeps those in that state (``running``, ``failed``...)."""
        return [self._status_of(r) for r in self.store.list_runs(status)]

    def _status_of(self, row: RunRow, retrying: tuple[PendingRetry, ...] = ()) -> RunStatus:
        """The run's status, with the label of the wait it is waiting in (read from its history)."""
        if row.status != "waiting" or row.waiting_for is None:
            return RunStatus.of(row, None, retrying)
        waits = tuple(self.store.waits(row.run_id))
        label = self.store.wait_label(row.run_id) if len(waits) <= 1 else None
        return RunStatus.of(row, label, retrying, waits)

    def pending_events(self, run_id: str) -> list[tuple[str, Any]]:
        """Events received for the run and not yet consumed by a ``wait_for_event``."""
        self.store.get_run(run_id)
        return self.store.pending_signals(run_id)

    # ----- time -------------------------------------------------------------------------------------

    def advance(self, duration: Duration) -> None:
        """Virtual clock only: move time forward and run whatever became due (timers, event timeouts)."""
        if not isinstance(self.clock, VirtualClock):
            raise PortaflowError("Engine.advance needs an engine created with clock=VirtualClock()")
        self.clock.advance(duration)
        self.work(drain=True)

    def result(self, run_id: str, timeout: Duration | None = None) -> Any:
        limit = None if timeout is None else time.monotonic() + parse_duration(timeout, what="timeout")
        while True:
            st = self.status(run_id)
            if st.status == "completed":
                return st.output
            if st.status == "failed":
                err = st.error or {}
                cls = WorkflowTimeout if err.get("type") == "WorkflowTimeout" else WorkflowFailed
                raise cls(run_id, str(err.get("type")), str(err.get("message")))
            if st.status == "cancelled":
                raise WorkflowFailed(run_id, "Cancelled", "the run was cancelled")
            if st.error is not None and st.error.get("type") == "NonDeterminismError":
                raise NonDeterminismError(str(st.error.get("message")))
            if limit is not None and time.monotonic() > limit:
                raise TimeoutError(f"run {run_id} is still {st.status} after {timeout}")
            if isinstance(self.clock, VirtualClock):
                if st.status == "waiting" and st.wake_at is not None:
                    self.clock.advance_to(st.wake_at)
                elif st.waiting_for_run is not None:  # the child decides: its result, or why it waits
                    before = st.updated_at
                    self.work(drain=True)
                    if self.status(run_id).updated_at == before:
                        child = self.status(st.waiting_for_run)
                        if child.done:
                            self.execute(run_id)
                        else:  # raises why the child waits (or drives it to its end)
                            self.result(child.run_id, timeout)
                    continue
                elif st.status == "waiting":
                    raise WorkflowError(
                        f"run {run_id} waits for event {st.waiting_for!r} with no timeout: send it with "
                        "engine.signal() before asking for the result"
                    )
                self.work(drain=True)
                if st.error is not None:
                    raise WorkflowError(f"run {run_id} is stalled: {st.error.get('message')}")
                continue
            self.execute(run_id)
            st = self.status(run_id)
            if not st.done:
                nap = 0.2 if st.wake_at is None else max(0.0, min(1.0, st.wake_at - self.clock.now()))
                time.sleep(nap)

    # ----- execution --------------------------------------------------------------------------------

    def execute(self, run_id: str, *, force: bool = False, max_wait: Duration | None = None) -> RunStatus:
        """Drive the run in this thread until it ends or waits for an event.

        Timers are waited out here, unless one is due more than ``max_wait`` from now: then the run is
        left waiting for a worker. ``force`` retries a run stalled by a replay mismatch at once.
        """
        limit = math.inf if max_wait is None else parse_duration(max_wait, what="max_wait")
        ex = self._claim(run_id, force)
        if ex is not None:
            self._advance(ex, limit, skip_virtual=max_wait is None)
        self._follow_children(run_id, limit, max_wait is None)
        return self.status(run_id)

    def _follow_children(self, run_id: str, limit: float, skip_virtual: bool) -> None:
        """Drive the child runs the run started (``ctx.start_workflow``) and the run again once a child
        it waits for has ended: ``start``/``signal`` return when the whole family completed or waits."""
        while True:
            moved = False
            for child in self.store.children(run_id):
                try:
                    row = self.store.get_run(child)
                except RunNotFound:  # pruned
                    continue
                if row.status == "running" and row.owner is None and row.stalled is None:
                    self.execute(child, max_wait=None if skip_virtual and limit == math.inf else limit)
                    moved = True
            row = self.store.get_run(run_id)
            if (
                row.status == "waiting"
                and row.waiting_for is not None
                and row.waiting_for.startswith(CHILD_EVENT)
                and self.store.next_signal(run_id, row.waiting_for) is not None
            ):
                ex = self._claim(run_id, False)
                if ex is not None:
                    self._advance(ex, limit, skip_virtual=skip_virtual)
                    moved = True
            if not moved:
                break
        parent = self.store.parent(run_id)
        if parent is not None and self.store.get_run(run_id).status in TERMINAL:
            row = self.store.get_run(parent)
            if row.status == "waiting" and row.waiting_for == CHILD_EVENT + run_id:
                self.execute(parent, max_wait=None if skip_virtual and limit == math.inf else limit)

    def _resolve(self, row: RunRow) -> Workflow[..., Any]:
        wf = self._workflows.get(ref_key(row.ref))
        return wf if wf is not None else resolve_ref(row.ref)

    def _claim(self, run_id: str, force: bool) -> Executor | None:
        with self._lock:
            if run_id in self._busy or self._closed.is_set():
                return None
            self._busy.add(run_id)
        try:
            got = self.store.acquire(
                run_id, self.owner, time.time() + self.lease_seconds, time.time(), self.clock.now(), force
            )
            if got is None:
                self._unbusy(run_id)
                return None
            fence, takeover = got
            self._ensure_heartbeat()
            with self._lock:
                cached = self._cache.pop(run_id, None)
            if cached is not None and cached.parked and cached.seq == self.store.last_seq(run_id):
                cached.fence = fence
                ex = cached
            else:
                if cached is not None:
                    cached.stop("evict")
                row = self.store.get_run(run_id)
                try:
                    wf = self._resolve(row)
                except PortaflowError as exc:
                    self.store.release(
                        run_id,
                        self.owner.id,
                        fence,
                        self.clock.now(),
                        json.dumps({"type": "PortaflowError", "message": str(exc)}),
                        self.clock.now() + self.stall_retry,
                    )
                    raise
                ex = Executor(self, row, wf, self.store.load_events(run_id), fence)
                if takeover is not None:
                    self.report(run_id, "recovered", {"reason": takeover})
            with self._lock:
                self._running[run_id] = ex
            return ex
        except BaseException:
            self._unbusy(run_id)
            raise

    def _unbusy(self, run_id: str) -> None:
        with self._lock:
            self._busy.discard(run_id)
            self._running.pop(run_id, None)

    def _advance(
        self,
        ex: Executor,
        inline_wait: float,
        skip_virtual: bool = True,
        halt: threading.Event | None = None,
    ) -> None:
        """Drive a claimed run until it finishes or parks for longer than ``inline_wait`` seconds.

        On a virtual clock every timer is skipped to, unless ``skip_virtual`` is off. Once ``halt`` is set
        no new step attempt starts: the run is released at its next step (or at once if it is waiting).
        """
        ex.halt = halt
        try:
            while True:
                out = ex.drive()
                if isinstance(out, Finished):
                    self._settle(ex, out)
                    return
                now = self.clock.now()
                if (
                    not out.events
                    and out.wake_at is not None
                    and ((self.clock.virtual and skip_virtual) or out.wake_at - now <= inline_wait)
                ):
                    if self.clock.wait_until(out.wake_at, ex.interrupt):
                        cancelled = self.store.get_run(ex.run_id).cancel_requested
                        stopped = ex.stop("cancel" if cancelled else "evict")
                        if isinstance(stopped, Finished):
                            self._settle(ex, stopped)
                        return
                    continue
                try:
                    released = self.store.release_waiting(
                        ex.run_id, self.owner.id, ex.fence, out.events, out.wake_at, now
                    )
                except LeaseLost:
                    ex.stop("lost")
                    return
                if released:
                    self._cache_put(ex)
                    self.report(
                        ex.run_id,
                        "released",
                        {"event": out.event, "events": list(out.events), "wake_at": out.wake_at},
                    )
                    return
        finally:
            self._unbusy(ex.run_id)

    def _settle(self, ex: Executor, out: Finished) -> None:
        if out.status == "stalled":
            self.store.release(
                ex.run_id,
                self.owner.id,
                ex.fence,
                self.clock.now(),
                json.dumps({"type": "NonDeterminismError", "message": out.detail}),
                self.clock.now() + self.stall_retry,
            )
            self._watch_stalled(ex.run_id)
            self.report(ex.run_id, "stalled", {"message": out.detail})
        elif out.status in ("evict", "store", "shutdown"):
            self.store.release(ex.run_id, self.owner.id, ex.fence, self.clock.now())
            if out.status == "store":
                self.report(ex.run_id, "store_error", {"message": out.detail})
            elif out.status == "shutdown":
                self.report(ex.run_id, "released", {"event": None, "wake_at": None, "shutdown": True})

    def _watch_stalled(self, run_id: str) -> None:
        """Remember the source files of a stalled run's code, to retry it as soon as one changes."""
        row = self.store.get_run(run_id)
        if ref_key(row.ref) in self._workflows:
            return  # registered by the program itself: its code changes only when the program restarts
        files = user_files(row.ref)
        if files:
            self._stall_watch[run_id] = (files, source_stamp(files))

    def _changed_stalled(self) -> list[str]:
        """Stalled runs whose code changed since they stalled: their modules are imported afresh."""
        changed = []
        for run_id, (files, stamp) in list(self._stall_watch.items()):
            if source_stamp(files) != stamp:
                del self._stall_watch[run_id]
                forget(files)
                changed.append(run_id)
        if changed:
            with self._lock:
                cached = list(self._cache.values())
                self._cache.clear()
            for ex in cached:  # parked on the old code: resumed from the log with the new one
                ex.stop("evict")
        return changed

    def _cache_put(self, ex: Executor) -> None:
        with self._lock:
            self._cache[ex.run_id] = ex
            evicted = []
            while len(self._cache) > self.cache_size:
                evicted.append(self._cache.popitem(last=False)[1])
        for old in evicted:
            old.stop("evict")

    def _ensure_heartbeat(self) -> None:
        with self._lock:
            if self._heartbeat is not None:
                return
            self._heartbeat = threading.Thread(target=self._beat, name="portaflow-heartbeat", daemon=True)
            self._heartbeat.start()

    def _beat(self) -> None:
        interval = max(0.05, self.lease_seconds / 3)
        while not self._closed.wait(interval):
            try:
                cancelled = self.store.renew(self.owner.id, time.time() + self.lease_seconds)
            except Exception:  # the database is busy or closing; the next beat tries again
                continue
            for run_id in cancelled:
                with self._lock:
                    ex = self._running.get(run_id)
                if ex is not None:
                    ex.interrupt.set()

    # ----- worker -----------------------------------------------------------------------------------

    def work(
        self,
        *,
        concurrency: int = 1,
        drain: bool = False,
        stop: threading.Event | None = None,
        poll: float = 0.25,
        on_error: Callable[[str, BaseException], None] | None = None,
        grace: Duration = "10s",
        abandon: threading.Event | None = None,
    ) -> int:
        """Execute runnable runs, fire due timers and recover runs of dead owners.

        The registered workflows that have a ``schedule`` are started at each tick (docs/cli.md,
        "Schedules"). With ``drain`` it returns once nothing is runnable (every remaining run waits for an
        event or a future timer, or belongs to a live engine elsewhere). Returns how many times it drove a
        run.

        The first call on an engine retries every run stalled by a ``NonDeterminismError`` at once (the
        code may have been fixed since), and a stalled run is retried as soon as a source file of its
        workflow changes (its modules are imported afresh), not only every ``stall_retry``.

        When ``stop`` is set, no new run is claimed and no new step attempt starts; the steps under way
        finish and are recorded, and their runs are released for the next worker. Runs still busy
        ``grace`` later (or once ``abandon`` is set) are left to lease recovery: reported as
        ``abandoned``, their leases held until this process exits.
        """
        stop = stop or threading.Event()
        grace_seconds = parse_duration(grace, what="grace")
        driven = 0
        inflight: dict[str, Future[None]] = {}
        forced: list[str] = []
        if not self._stalled_retried:
            self._stalled_retried = True
            forced = self.store.stalled()
        next_source_check = time.monotonic() + SOURCE_CHECK_INTERVAL
        scheduler = self._scheduler()

        def collect() -> None:
            for run_id, fut in list(inflight.items()):
                if fut.done():
                    del inflight[run_id]
                    exc = fut.exception()
                    if exc is not None and on_error is not None:
                        on_error(run_id, exc)
                    elif exc is not None:
                        raise exc

        while not stop.is_set() and not self._closed.is_set():
            collect()
            if self._stall_watch and time.monotonic() >= next_source_check:
                next_source_check = time.monotonic() + SOURCE_CHECK_INTERVAL
                forced += [r for r in self._changed_stalled() if r not in forced]
            if scheduler is not None and self.clock.now() >= scheduler.next_at:
                scheduler.poll()
            started = 0
            free = concurrency - len(inflight)
            if free > 0:
                now = self.clock.now()
                candidates = [(r, True) for r in forced[:free]]
                del forced[:free]
                candidates += [(r, False) for r in self.store.runnable(now, time.time(), self.owner.id, free)]
                for run_id, force in candidates:
                    if run_id in inflight or len(inflight) >= concurrency or stop.is_set():
                        continue
                    try:
                        ex = self._claim(run_id, force)
                    except PortaflowError as exc:
                        if on_error is None:
                            raise
                        on_error(run_id, exc)
                        continue
                    if ex is None:
                        continue
                    inflight[run_id] = _spawn(self._advance, ex, WORKER_INLINE_WAIT, True, stop)
                    started += 1
                    driven += 1
            if started or (forced and len(inflight) < concurrency):
                continue
            if drain and not inflight and not forced:
                break
            if inflight:
                wait(list(inflight.values()), timeout=poll, return_when=FIRST_COMPLETED)
            else:
                nap = poll
                wake = self.store.next_wake()
                if scheduler is not None:
                    wake = min(wake if wake is not None else math.inf, scheduler.next_at)
                if wake is not None:
                    nap = max(0.0, min(poll, wake - self.clock.now()))
                stop.wait(nap)
        self._wind_down(inflight, collect, grace_seconds, abandon)
        return driven

    def _scheduler(self) -> Scheduler | None:
        """The schedules of the registered workflows (`portaflow worker FILE...` registers a file's)."""
        scheduled = [wf for wf in self._workflows.values() if wf.schedule is not None]
        if not scheduled:
            return None
        from portaflow.local_engine.schedules import Scheduler

        return Scheduler(self, scheduled)

    def schedules(self) -> builtins.list[Upcoming]:
        """The registered workflows that have a schedule, each with its next tick (workflow time)."""
        from portaflow.local_engine.schedules import upcoming

        return upcoming(builtins.list(self._workflows.values()), self.clock.now())

    def _wind_down(
        self,
        inflight: dict[str, Future[None]],
        collect: Callable[[], None],
        grace: float,
        abandon: threading.Event | None,
    ) -> None:
        """The worker stops: runs waiting in place are released at once, steps under way may finish."""
        collect()
        if not inflight:
            return
        with self._lock:
            running = [self._running.get(r) for r in inflight]
        for ex in running:
            if ex is not None:
                ex.interrupt.set()  # a timer waited out in place: released now instead
        self.report("", "stopping", {"runs": sorted(inflight), "grace": grace})
        deadline = time.monotonic() + grace
        while inflight:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (abandon is not None and abandon.is_set()):
                break
            wait(list(inflight.values()), timeout=min(0.1, remaining), return_when=FIRST_COMPLETED)
            collect()
        for run_id in sorted(inflight):
            self.report(run_id, "abandoned", {"grace": grace})

    # last in the class body: a method named `list` would shadow the builtin in the annotations above
    def list(self, status: str | None = None) -> builtins.list[RunStatus]:
        """The runs, oldest first (``list_runs``, under the name ``portaflow list`` has)."""
        return self.list_runs(status)


def _spawn(fn: Callable[..., None], *args: Any) -> Future[None]:
    """Run ``fn(*args)`` on a daemon thread: a step abandoned by a stopping worker never delays its exit."""
    future: Future[None] = Future()

    def target() -> None:
        future.set_running_or_notify_cancel()
        try:
            fn(*args)
            future.set_result(None)
        except BaseException as exc:  # delivered to the worker loop
            future.set_exception(exc)

    threading.Thread(target=target, name="portaflow-worker", daemon=True).start()
    return future
