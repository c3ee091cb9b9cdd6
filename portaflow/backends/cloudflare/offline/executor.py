"""The Cloudflare backend's offline executor: the generated worker on workerd (Miniflare), its steps on the
Python step host, on a virtual clock.

    with CloudflareExecutor(Path("flow.py")) as ex:
        run = ex.start({"order_id": "o1"}, run_id="r1")   # returns once the run completed, failed or waits
        ex.signal("r1", "approval", {"ok": True})
        ex.advance("3d")
        run.status, run.output, run.error, run.calls, run.sleeps

The workflow is compiled and its project written to a temporary folder exactly as ``portaflow compile
--target cloudflare`` writes it, bundled with esbuild and run by Cloudflare's own Workflows engine in
workerd (session.py: reused from executor to executor). What is real: the engine's step caching and replay,
its sleeps, event buffering and ``waitForEvent`` timeouts, step timeouts, the signed HTTP calls to the step
host. What the executor plays is time: the runtime reports each point where the run parks (a sleep, a
retry delay, an event wait: ``PORTAFLOW_HOOKS``, never set in production) and reads ``ctx.now()`` from the
virtual clock; the engine waits as long as Cloudflare allows, and the executor ends a wait when its virtual
deadline comes, through the engine's own instance modifiers (``disableSleeps``, ``forceEventTimeout``, the
API Cloudflare's vitest integration uses) and a pause and resume, so the engine re-enters it and run()
replays. As on the local engine's virtual clock, time jumps to the next timer when a run waits for nothing
else, and moves only by :meth:`advance` while it waits for an event.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portaflow.backends.base import StepCall
from portaflow.compiler.diagnostics import CompileError
from portaflow.compiler.ir import change_ids
from portaflow.dsl.durations import parse_duration

SETTLE_TIMEOUT = 120.0  # real seconds a run may take to settle before the executor gives up
RETRY_POINT = re.compile(r"^(\S+) retry(\d+)(?:\s|$)")
PAUSED = "Aborting engine: User called pause"  # the engine's own message, which it takes for its pause


@dataclass
class _Instance:
    """What the executor knows of one workflow instance, from the runtime's state reports."""

    id: str
    epoch: str | None = None  # the run() invocation reporting now; a released one's reports are ignored
    dead: set[str] = field(default_factory=set)
    abandoned: set[str] = field(default_factory=set)  # invocations that have unwound (after a pause)
    pausing: bool = False  # paused by the executor, not resumed yet: a sleep that starts now ends as paused
    seq: int = 0
    fibers: int = 0
    parked: list[dict[str, Any]] = field(default_factory=list)
    done: set[str] = field(default_factory=set)  # points that ended (a replay passes them at once)
    released: set[str] = field(default_factory=set)  # points the executor ended
    deadlines: dict[str, float | None] = field(default_factory=dict)  # virtual instant each point ends
    sent: dict[str, int] = field(default_factory=dict)  # events sent, by type
    took: dict[str, str] = field(default_factory=dict)  # event waits that took an event -> its type
    finished: bool = False
    failed: dict[str, str] | None = None
    engine: dict[str, Any] | None = None  # the engine's status once terminal

    def settled(self) -> bool:
        """Every running part of the run is parked at a point that has not ended: nothing moves until the
        executor ends one or an event comes."""
        if self.epoch is None or self.fibers <= 0:
            return False
        if len(self.parked) != self.fibers:
            return False
        for p in self.parked:
            if p["name"] in self.done or p["name"] in self.released:
                return False  # a replay passes it, or the executor ended it: it will move
            kind = str(p.get("event"))
            if p["kind"] == "event" and self.sent.get(kind, 0) > sum(t == kind for t in self.took.values()):
                return False  # an event of its type is buffered: the wait takes it at once
        return True


class CloudflareRun:
    """A run on the executor, read live."""

    def __init__(self, executor: CloudflareExecutor, run_id: str) -> None:
        self.executor = executor
        self.run_id = run_id

    @property
    def _inst(self) -> _Instance:
        return self.executor.instances[self.run_id]

    @property
    def status(self) -> str:
        engine = self._inst.engine
        if engine is None:
            return "waiting"
        return "completed" if engine["status"] == "complete" else "failed"

    @property
    def output(self) -> Any:
        engine = self._inst.engine
        return engine.get("output") if engine is not None and engine["status"] == "complete" else None

    @property
    def error(self) -> dict[str, str] | None:
        inst = self._inst
        if inst.engine is None or inst.engine["status"] == "complete":
            return None
        if inst.failed is not None:
            return dict(inst.failed)
        return engine_error(inst.engine.get("error"))

    @property
    def waiting_for(self) -> str | None:
        events = [p.get("event") for p in self._inst.parked if p["kind"] == "event"]
        return events[0] if events and self._inst.engine is None else None

    @property
    def wait_label(self) -> str | None:
        labels = [p.get("label") for p in self._inst.parked if p["kind"] == "event"]
        return labels[0] if labels and self._inst.engine is None else None

    @property
    def calls(self) -> list[StepCall]:
        return list(self.executor.calls.get(self.run_id, []))

    @property
    def sleeps(self) -> list[float]:
        return list(self.executor.sleeps.get(self.run_id, []))

    @property
    def logs(self) -> list[dict[str, Any]]:
        """The ctx.log lines as written: message, position, fields."""
        return list(self.executor.logs.get(self.run_id, []))


def _settle_future(fut: asyncio.Future[dict[str, str]], answer: dict[str, str]) -> None:
    if not fut.done():
        fut.set_result(answer)


def engine_error(error: Any) -> dict[str, str]:
    """A failure the workflow did not report (the engine's own): the engine keeps ``name: message``."""
    if not isinstance(error, dict):
        return {"type": "Error", "message": str(error)}
    name, message = str(error.get("name", "Error")), str(error.get("message", ""))
    head, sep, rest = message.partition(": ")
    if name == "Error" and sep and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", head):
        return {"type": head, "message": rest}
    return {"type": name, "message": message}


class CloudflareExecutor:
    """See the module docstring; the backend interface's ``Executor``."""

    def __init__(self, source: Path, workflow: str | None = None) -> None:
        from portaflow.backends import get
        from portaflow.compiler.frontend import compile_file
        from portaflow.compiler.pipeline import diagnose

        res = compile_file(source, workflow)
        errors = [d for d in diagnose(res, get("cloudflare")) if d.severity == "error"]
        if errors or res.program is None:
            raise CompileError(errors, res.sources)
        self.program = res.program
        self.patches = change_ids(res.program)  # what the worker's POST /runs records (startParams)
        self.source = Path(source)
        self.workflow = workflow
        self.now = time.time()  # the virtual clock, in unix seconds
        self.instances: dict[str, _Instance] = {}
        self.calls: dict[str, list[StepCall]] = {}
        self.sleeps: dict[str, list[float]] = {}
        self.logs: dict[str, list[dict[str, Any]]] = {}  # run id -> the ctx.log lines, each time written
        self.runs: dict[str, CloudflareRun] = {}
        self._cond = threading.Condition()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._token = uuid.uuid4().hex[:12]
        self._api_token = ""  # set with the worker's bindings
        # sleeps waiting for their virtual end: (instance, name) -> the future the wake hook awaits
        self._wakes: dict[
            tuple[str, str], tuple[asyncio.AbstractEventLoop, asyncio.Future[dict[str, str]]]
        ] = {}

    @classmethod
    def for_source(cls, source: Path, workflow: str | None = None) -> CloudflareExecutor:
        return cls(source, workflow)

    # ------------------------------------------------------------------------------------ lifecycle
    def __enter__(self) -> CloudflareExecutor:
        from ..project import build_project
        from .session import acquire

        self._tmp = tempfile.TemporaryDirectory(prefix="portaflow-cloudflare-")
        folder = Path(self._tmp.name)
        build_project(self.program, self.source).write(folder / "project")
        self.driver, self.server = acquire()
        try:
            self._load(folder)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _load(self, folder: Path) -> None:
        """Serve this executor's step host and hooks, and load its worker (bundled) into the driver."""
        from ..project import COMPATIBILITY_DATE, class_name, routed_events
        from .app import executor_app

        secret = secrets.token_hex(16)
        self._api_token = secrets.token_hex(16)  # the worker's HTTP API: events are sent through it
        self.server.apps[self._token] = executor_app(self, secret)
        base = f"{self.server.base}/x/{self._token}"
        entry = self.program.workflows[self.program.entry]
        self.driver.call(
            "load",
            entry=str(folder / "project" / "src" / "index.ts"),
            outfile=str(folder / "worker.mjs"),
            className=class_name(entry.name),
            workflowName=f"pf-{self._token}",
            compatibilityDate=COMPATIBILITY_DATE,
            routedEvents=routed_events(self.program),
            bindings={
                "STEP_HOST": base,
                "STEP_SECRET": secret,
                "PORTAFLOW_HOOKS": f"{base}/hooks",
                "API_TOKEN": self._api_token,
            },
        )

    def __exit__(self, *exc: object) -> None:
        from .session import release

        self.server.apps.pop(self._token, None)
        release(self.driver)
        if self._tmp is not None:
            self._tmp.cleanup()

    # ------------------------------------------------------------------- what the worker reports
    def _instance(self, run_id: str) -> _Instance:
        inst = self.instances.get(run_id)
        if inst is None:
            inst = self.instances[run_id] = _Instance(run_id)
        return inst

    def on_state(self, body: dict[str, Any]) -> None:
        with self._cond:
            inst = self._instance(str(body["instance"]))
            epoch, seq = str(body["epoch"]), int(body["seq"])
            if body.get("done"):
                inst.done.add(str(body["done"]))
                if body.get("received"):  # a replay reports it again: counted once, by the wait's name
                    inst.took[str(body["done"])] = str(body["received"])
            if body.get("abandoned"):  # what it reports while unwinding is not the run's state
                inst.abandoned.add(epoch)
                inst.dead.add(epoch)
                self._cond.notify_all()
            if epoch in inst.dead:
                return
            if epoch != inst.epoch:
                inst.epoch, inst.seq = epoch, 0
            if seq < inst.seq:
                return  # a report overtaken by a later one of the same invocation
            inst.seq, inst.fibers, inst.parked = seq, int(body["fibers"]), list(body["parked"])
            for point in inst.parked:
                self._first_sight(inst, point)
            if body.get("failed"):
                inst.failed = {k: str(v) for k, v in body["failed"].items()}
            if body.get("finished"):
                inst.finished = True
            self._cond.notify_all()

    def _first_sight(self, inst: _Instance, point: dict[str, Any]) -> None:
        """A point seen for the first time starts now, on the virtual clock (the clock never moves while
        the run runs); record what the conformance suite compares."""
        name = str(point["name"])
        if name in inst.deadlines:
            return
        seconds = point.get("seconds")
        inst.deadlines[name] = None if seconds is None else self.now + float(seconds)
        if point["kind"] == "sleep" and "total" in point:
            self.sleeps.setdefault(inst.id, []).append(float(point["total"]))
        elif point["kind"] == "retry" and "total" in point and (m := RETRY_POINT.match(name)):
            key, attempt = f"{inst.id}:{m.group(1)}", int(m.group(2))
            calls = self.calls.get(inst.id, [])
            for i in range(len(calls) - 1, -1, -1):
                c = calls[i]
                if c.key == key and c.attempt == attempt:
                    calls[i] = StepCall(c.step, c.args, c.key, c.attempt, c.error, float(point["total"]))
                    break

    async def wake(self, body: dict[str, Any]) -> dict[str, str]:
        """A sleep's wake hook: answered once the executor disabled the sleep (its virtual end came), or with
        the engine's pause error when the instance is paused meanwhile."""
        run_id, name, epoch = str(body["instance"]), str(body["name"]), str(body["epoch"])
        loop = asyncio.get_running_loop()
        with self._cond:
            inst = self._instance(run_id)
            if epoch in inst.dead or inst.pausing:
                return {"abort": PAUSED}
            if name in inst.released:
                return {}
            fut: asyncio.Future[dict[str, str]] = loop.create_future()
            self._wakes[(run_id, name)] = (loop, fut)
        return await fut

    def _answer_wakes(self, inst: _Instance, answer: dict[str, str], names: list[str] | None = None) -> None:
        for (run_id, name), (loop, fut) in list(self._wakes.items()):
            if run_id == inst.id and (names is None or name in names):
                del self._wakes[(run_id, name)]
                loop.call_soon_threadsafe(_settle_future, fut, answer)

    def on_attempt(self, body: dict[str, Any]) -> None:
        """A step attempt ended, as the workflow saw it (a timed-out attempt is its TimeoutError, whatever the
        step host did later); a replay reports it again, and is not counted twice."""
        run_id = str(body["key"]).rsplit(":", 1)[0]
        attempt, key = int(body["attempt"]), str(body["key"])
        error = body.get("error")
        with self._cond:
            calls = self.calls.setdefault(run_id, [])
            if any(c.key == key and c.attempt == attempt for c in calls):
                return
            calls.append(
                StepCall(
                    str(body["step"]),
                    dict(body.get("args") or {}),
                    key,
                    attempt,
                    {"type": str(error["type"]), "message": str(error["message"])} if error else None,
                )
            )

    def on_log(self, body: dict[str, Any]) -> None:
        """A ctx.log line was written (its step.do's callback ran): kept every time, so a line written twice
        would show twice."""
        with self._cond:
            self.logs.setdefault(str(body["run_id"]), []).append(
                {k: body[k] for k in ("message", "position", "fields")}
            )

    # ---------------------------------------------------------------------------------- driving
    def _wait(self, inst: _Instance) -> None:
        """Until the run settled or ended (the engine's status says which)."""
        end = time.monotonic() + SETTLE_TIMEOUT
        polled = 0.0
        while True:
            with self._cond:
                if inst.settled() and not (inst.finished or inst.failed):
                    return
                ended = inst.finished or inst.failed is not None
                if not ended:
                    self._cond.wait(0.05)
            if ended or time.monotonic() - polled > 0.5:
                polled = time.monotonic()
                st = self.driver.call("status", id=inst.id)
                if st["status"] in ("complete", "errored", "terminated"):
                    with self._cond:
                        inst.engine = st
                    return
            if time.monotonic() > end:
                raise TimeoutError(
                    f"run {inst.id} did not settle in {SETTLE_TIMEOUT:.0f}s on workerd "
                    f"(parked: {[p['name'] for p in inst.parked]}, fibers: {inst.fibers})"
                )

    def _drive(self, inst: _Instance) -> None:
        """Run until the run ended or waits for an event: end every wait whose virtual deadline came, and
        move the clock to the next timer when nothing else can move the run."""
        while True:
            self._wait(inst)
            if inst.engine is not None:
                return
            with self._cond:
                due = [
                    p
                    for p in inst.parked
                    if (d := inst.deadlines.get(p["name"])) is not None and d <= self.now
                ]
                if not due:
                    if any(p["kind"] == "event" for p in inst.parked):
                        return
                    timers = [inst.deadlines[p["name"]] for p in inst.parked]
                    self.now = max(self.now, min(t for t in timers if t is not None))
                    continue
                sleeps = [str(p["name"]) for p in due if p["kind"] != "event"]
                timeouts = [str(p["name"]) for p in due if p["kind"] == "event"]
            if sleeps:
                self.driver.call("disable", id=inst.id, sleeps=sleeps)
                with self._cond:
                    inst.released.update(sleeps)
                    self._answer_wakes(inst, {}, sleeps)
            if timeouts:
                with self._cond:
                    inst.released.update(timeouts)
                    old = inst.epoch
                    inst.pausing = True
                    self._answer_wakes(inst, {"abort": PAUSED})
                try:
                    self._time_out(inst, old, timeouts)
                finally:
                    inst.pausing = False

    def _time_out(self, inst: _Instance, old: str | None, timeouts: list[str]) -> None:
        """End the given event waits as timed out: the engine's modifier, a pause (which ends a wait in
        flight), and a resume once run() has unwound (the engine starts no new invocation while the old one
        runs), so that run() replays and the engine re-enters the waits, now timed out."""
        paused = self.driver.call("pause", id=inst.id, timeouts=timeouts)
        if paused["status"] != "paused":
            return
        # a wait the invocation had reported but not yet entered times out as it enters, and the invocation
        # goes on until the pause stops it at its next step or wait (or it ends)
        with self._cond:
            end = time.monotonic() + 30
            while old is not None and old not in inst.abandoned and not (inst.finished or inst.failed):
                if time.monotonic() > end:
                    raise TimeoutError(f"run {inst.id}: the paused invocation did not unwind")
                self._cond.wait(0.05)
            if old is not None and old in inst.abandoned:
                inst.epoch = None  # the next report is the resumed invocation's
            inst.pausing = False  # before the resumed invocation's first sleep asks
        self.driver.call("resume", id=inst.id)

    # ------------------------------------------------------------------------- the Executor API
    def start(self, input: Any = None, run_id: str | None = None) -> CloudflareRun:
        run_id = run_id or f"run-{uuid.uuid4().hex[:12]}"
        with self._cond:
            inst = self._instance(run_id)
        self.runs[run_id] = CloudflareRun(self, run_id)
        params = input if input is not None else {}
        if self.patches and isinstance(params, dict):  # as the worker's POST /runs creates it
            params = {**params, "~patches": list(self.patches)}
        self.driver.call("create", id=run_id, params=params)
        self._drive(inst)
        return self.runs[run_id]

    def signal(
        self, run_id: str, event: str, payload: Any = None, *, error: tuple[str, str] | None = None
    ) -> CloudflareRun:
        """Send the event through the worker's own HTTP API, as a deployed system does: ``POST
        /runs/<id>/events/<name>`` with the payload, or ``.../error`` with ``{"type", "message"}`` (the
        worker wraps them as ``eventPayload`` / ``eventFailure`` of runtime/durable.ts)."""
        path = f"/runs/{run_id}/events/{event}"
        body: Any = payload
        if error is not None:
            path, body = f"{path}/error", {"type": error[0], "message": error[1]}
        inst = self._instance(run_id)
        if inst.engine is None:
            with self._cond:
                inst.sent[event] = (
                    inst.sent.get(event, 0) + 1
                )  # a wait for it is not settled until it took it
            answer = self.driver.call("post", path=path, token=self._api_token, body=body)
            if answer["status"] != 202:
                with self._cond:
                    inst.sent[event] -= 1  # nothing was sent
                raise RuntimeError(f"the worker refused the event {event!r}: {answer['body']}")
            self._drive(inst)
        return self.runs.setdefault(run_id, CloudflareRun(self, run_id))

    def advance(self, duration: str | float) -> None:
        seconds = parse_duration(duration, what="advance duration")
        if seconds < 0:
            raise ValueError("advance: time only moves forward")
        self.now += seconds
        for inst in list(self.instances.values()):
            if inst.engine is None:
                self._drive(inst)

    def clock(self) -> float:
        return self.now
