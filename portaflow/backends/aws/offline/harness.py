"""Execute a compiled workflow's state machine offline, on moto, against the user's Python steps.

    from portaflow.backends.aws.offline.harness import AwsHarness

    with AwsHarness("examples/refund.py", workflow="refund") as aws:
        run = aws.start({"order_id": "o1"}, run_id="r1")   # runs until completed, failed or waiting
        run.signal("approval", {"ok": True})                # through the generated events function
        aws.advance("3d")                                    # virtual time: event timeouts fire
        print(run.status, run.output, run.error, run.calls)

What is real: moto's ASL interpreter runs the generated definition (JSONata evaluated by jsonata-python),
every Lambda invoke goes in-process to the same handler code the deployed functions run
(``runtime/portaflow_aws_runtime.py``), events go through the events function and DynamoDB (on moto).
What is patched (each with a canary test in
``tests/aws/test_moto_canaries.py``): the Lambda invoke of moto's no-Docker backend, the Wait state (it
parks on a virtual clock: a run that waits for no event skips ahead to its next timer, as the local
engine's does; otherwise ``advance`` fires timers and timeouts in time order), retry sleeps (instant,
recorded, on the virtual clock), the callback wait (its timeout follows the virtual clock,
not moto's wall-clock bound on its Task), SendTaskFailure's cause (moto's request handler drops it), moto's
missing JSONata evaluator, its scan for the variables an
expression uses (it takes a division followed by a regex for one regex) and their encoding (it does not
escape strings), how a failed JSONata evaluation fails the state (moto: States.Runtime, uncatchable; AWS:
States.QueryEvaluationError, which Retry and Catch see), and the key under which a retrier keeps its
attempt count (moto makes it with a race between concurrent Map iterations).

``start``, ``signal`` and ``advance`` return once every execution they moved has completed, failed or is
waiting. "Waiting" is decided from where moto's interpreter threads are, not from how long they have been
quiet: a run waits when each of its threads is parked in a callback wait with no outcome, in a Wait state
whose time has not come, or blocked until such threads finish (a Parallel's branches, a Map's iterations).
Wait states and retry sleeps take no real time, so nothing but an event or ``advance`` could move such a
run on, however loaded the machine is.
"""

from __future__ import annotations

import functools
import gc
import importlib
import importlib.util
import io
import json
import re
import sys
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any
from unittest import mock

from portaflow.backends import get as get_backend
from portaflow.backends.aws.runtime.portaflow_aws_runtime import position_order
from portaflow.compiler import ir
from portaflow.compiler.diagnostics import CompileError
from portaflow.compiler.frontend import compile_file
from portaflow.compiler.pipeline import diagnose
from portaflow.dsl.durations import parse_duration
from portaflow.source.finder import ModuleFinder

from ..lower.asl import RETRY_WAIT, compile_asl, step_idents
from ..runtime import portaflow_aws_runtime as runtime
from . import childruns
from .jsonata_eval import evaluate, faithful

REGION = "us-east-1"
THREAD_STACK = 256 * 1024 * 1024  # virtual memory; only what a thread touches is used
ACCOUNT = "123456789012"
EVENTS_FN = "pf-events"
TABLE = "pf-events"
POLL = 0.003


def _fn_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


@dataclass
class StepInvocation:
    step: str
    args: dict[str, Any]
    key: str
    attempt: int
    error: dict[str, str] | None = None
    delay: float | None = None  # the retry delay requested after this attempt failed
    timeout: float | None = None
    started: float = 0.0
    finished: float | None = None

    def timed_out(self) -> bool:
        """The state machine abandons an attempt that overruns its TimeoutSeconds (States.Timeout)."""
        if self.timeout is None:
            return False
        end = self.finished if self.finished is not None else time.monotonic()
        return end - self.started > self.timeout


@dataclass
class _Waiter:
    """A callback wait (``wait_for_event``) parked in :meth:`AwsHarness.wait_for_callback`."""

    endpoint: Any
    deadline: float | None
    run_id: str | None = None
    event: str | None = None
    label: str | None = None
    position: str = ""  # in a fan-out, the wait's scope (the runtime's position_order sorts them)
    timed_out: threading.Event = field(default_factory=threading.Event)

    def pending(self) -> bool:
        """No outcome yet and not timed out: the waiting thread stays parked until one of them changes
        (both only ever change one way)."""
        return self.endpoint.get_outcome() is None and not self.timed_out.is_set()


@dataclass
class _Timer:
    """A Wait state (``ctx.sleep``) parked in :meth:`AwsHarness.sleep_until` until the virtual clock
    reaches its deadline."""

    deadline: float
    run_id: str
    order: tuple[str, int]  # among timers due at once: the state, then the Map item (a stable order)
    fired: threading.Event = field(default_factory=threading.Event)


class AwsRun:
    """One execution of the state machine."""

    def __init__(self, harness: AwsHarness, run_id: str, arn: str) -> None:
        self.harness = harness
        self.run_id = run_id
        self.arn = arn
        self.status = "running"
        self.output: Any = None
        self.error: dict[str, str] | None = None
        self.waiting_for: str | None = None
        self.wait_label: str | None = None  # the label of that wait (ctx.wait_for_event(label=...))
        self.started = harness.clock  # on the virtual clock, for the machine's TimeoutSeconds
        self.timed_out = False

    @property
    def calls(self) -> list[StepInvocation]:
        out = [c for c in self.harness.invocations if c.key.startswith(self.run_id + ":")]
        for c in out:
            if c.error is None and c.timed_out():
                c.error = {"type": "TimeoutError", "message": f"step {c.step!r} timed out"}
        return out

    @property
    def sleeps(self) -> list[float]:
        # in virtual-time order, then by Map item and state (concurrent branches start theirs in any order)
        return [seconds for *_, seconds in sorted(self.harness.sleeps.get(self.run_id, []))]

    def signal(self, event: str, payload: Any = None, *, error: tuple[str, str] | None = None) -> AwsRun:
        self.harness.signal(self.run_id, event, payload, error=error)
        return self

    def history(self) -> list[dict[str, Any]]:
        return self.harness.sfn.get_execution_history(executionArn=self.arn, maxResults=1000)["events"]  # type: ignore[no-any-return]


def _current_frames() -> dict[int, FrameType]:
    """``sys._current_frames()`` with the garbage collector off: the call holds the interpreter's thread-list
    lock while it makes frame objects, and a collection started there ran finalizers that waited for a
    lock another thread held while waiting for that one (a CI run hung for good in
    ``_PyThread_CurrentFrames`` -> ``gc_collect_main``)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return sys._current_frames()
    finally:
        if enabled:
            gc.enable()


class AwsHarness:
    """A moto-backed AWS account with the workflow deployed; see the module docstring."""

    def __init__(self, path: str | Path, workflow: str | None = None, timeout: float = 60.0) -> None:
        self.path = Path(path)
        res = compile_file(self.path, workflow)
        errors = [d for d in diagnose(res, get_backend("aws")) if d.severity == "error"]
        if errors or res.program is None:
            raise CompileError(errors, res.sources)
        self.program = res.program
        definition, _ = compile_asl(self.program)
        self.definition = definition
        self.timeout = timeout
        self.clock = 0.0  # virtual seconds since the harness started
        self.epoch = time.time()  # the wall-clock time the virtual clock starts from ($now())
        self.invocations: list[StepInvocation] = []
        # run id -> (virtual time, Map item, state, seconds) of each Wait state entered
        self.sleeps: dict[str, list[tuple[float, int, str, float]]] = {}
        self.runs: dict[str, AwsRun] = {}
        self._lock = threading.Lock()
        self._waiters: dict[int, _Waiter] = {}
        self._timers: dict[int, _Timer] = {}
        # task token -> (run id, event, label) it waits for
        self._tokens: dict[str, tuple[str, str, str | None, str]] = {}
        self._lanes: dict[tuple[str, str, Any], StepInvocation] = {}
        self._first_thread = 0  # moto's interpreter threads from this index on are this harness's
        self._stack: ExitStack | None = None
        self.module: ModuleType | None = None  # the workflow's module, as the harness imported it
        self.steps: dict[str, Any] = {}  # step key -> the @step object the Lambda function calls
        self.idents = step_idents(self.program)  # step key -> Lambda function suffix
        # ctx.start_workflow: the started workflows' machines, and the child executions seen (childruns.py)
        self.children = childruns.child_definitions(self.program)
        self.child_arns: dict[str, str] = {}  # child run id -> its execution's ARN
        self.child_parents: dict[str, str] = {}  # child run id -> the run waiting for it (.sync:2)

    # ------------------------------------------------------------------------------------------ set up
    def __enter__(self) -> AwsHarness:
        from moto import mock_aws
        from moto.stepfunctions.parser.utils import TMP_THREADS

        self._first_thread = len(TMP_THREADS)
        self._stack = ExitStack()
        # moto interprets each execution, branch and Map iteration on a thread of its own, and jsonata-python
        # parses recursively with a recursion limit of 10,000: a thread's default 8 MB C stack can overflow
        # on a long expression (a segfault, not a RecursionError). Threads started meanwhile get 256 MB.
        previous = threading.stack_size(THREAD_STACK)
        self._stack.callback(threading.stack_size, previous)
        self._stack.enter_context(
            mock_aws(
                config={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
            )
        )
        for p in patches(self):
            self._stack.enter_context(p)
        import boto3  # type: ignore[import-untyped]

        self.module, self.steps = self._stack.enter_context(fresh_project(self.path, self.program))
        self.sfn = boto3.client("stepfunctions", region_name=REGION)
        self.ddb = boto3.client("dynamodb", region_name=REGION)
        self.lam = boto3.client("lambda", region_name=REGION)
        iam = boto3.client("iam", region_name=REGION)
        role = iam.create_role(RoleName="pf-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        self.ddb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        names = [EVENTS_FN] + [f"pf-step-{ident}" for ident in self.idents.values()]
        for name in names:
            self.lam.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=role,
                Handler="h.handler",
                Code={"ZipFile": _dummy_zip()},
            )
        from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

        Preprocessor._query_language_per_scope.clear()
        for key, definition in self.children.items():
            self._create_machine(childruns.machine_name(key), definition)
        self.machine = self._create_machine(f"pf-{self.program.entry}", self.definition)
        return self

    def _create_machine(self, name: str, definition: dict[str, Any]) -> str:
        text = json.dumps(definition)
        for ident in self.idents.values():
            text = text.replace("${StepFn_" + ident + "}", _fn_arn(f"pf-step-{ident}"))
        text = text.replace("${EventsFunctionArn}", _fn_arn(EVENTS_FN))
        text = childruns.substitute_machines(
            text, self.children, lambda n: f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{n}"
        )
        return str(
            self.sfn.create_state_machine(
                name=name, definition=text, roleArn=f"arn:aws:iam::{ACCOUNT}:role/pf-role"
            )["stateMachineArn"]
        )

    def _release(self) -> None:
        """Wake every parked wait and timer, so no interpreter thread outlives the mock."""
        with self._lock:
            for w in self._waiters.values():
                self._time_out(w)
            for t in self._timers.values():
                t.fired.set()

    def run(self, run_id: str) -> AwsRun:
        """The run ``run_id``: one started here, or a child execution a run started."""
        if run_id not in self.runs and run_id in self.child_arns:
            self.runs[run_id] = AwsRun(self, run_id, self.child_arns[run_id])
        return self.runs[run_id]

    def child_runs(self, run_id: str) -> list[AwsRun]:
        """The child executions ``run_id`` started (``ctx.start_workflow``), and theirs, in start order."""
        out: list[AwsRun] = []
        with self._lock:
            names = list(self.child_arns)
        for name in names:
            if name.startswith(run_id + "-c") or any(name.startswith(c.run_id + "-c") for c in out):
                child = self.run(name)
                self._refresh(child)
                out.append(child)
        return out

    def __exit__(self, *exc: object) -> None:
        try:
            # no execution may be left waiting: a moto worker would outlive the mock
            deadline = time.monotonic() + 5
            for run in self.runs.values():
                while run.status in ("running", "waiting") and time.monotonic() < deadline:
                    self._release()
                    self._refresh(run)
                    time.sleep(POLL)
            # nor a branch a failed Parallel or Map left parked in a callback wait
            while self._threads() and time.monotonic() < deadline:
                self._release()
                time.sleep(POLL)
        finally:
            assert self._stack is not None
            self._stack.close()

    # --------------------------------------------------------------------------------------- execution
    def start(self, input: Any = None, run_id: str | None = None) -> AwsRun:
        """Start an execution named ``run_id``; return once it completed, failed or waits for an event."""
        run_id = run_id or f"run-{uuid.uuid4().hex[:16]}"
        arn = self.sfn.start_execution(
            stateMachineArn=self.machine, name=run_id, input=json.dumps(input if input is not None else {})
        )["executionArn"]
        run = AwsRun(self, run_id, arn)
        self.runs[run_id] = run
        self._settle(run)
        self._settle_children()
        return run

    def _settle_children(self) -> None:
        """Settle every child execution seen (fire-and-forget ones run on after their parent)."""
        settled: set[str] = set()
        while True:
            with self._lock:
                todo = [n for n in self.child_arns if n not in settled]
            if not todo:
                return
            for name in todo:
                settled.add(name)
                child = self.run(name)
                if child.status in ("running", "waiting"):
                    self._settle(child)

    def signal(
        self, run_id: str, event: str, payload: Any = None, *, error: tuple[str, str] | None = None
    ) -> AwsRun:
        """Raise an event the way a deployed system does: invoke the events function with ``send``
        (``error=(type, message)``: the event is a failure)."""
        body: dict[str, Any] = {"action": "send", "run_id": run_id, "event": event, "payload": payload}
        if error is not None:
            body["error"] = {"type": error[0], "message": error[1]}
        resp = self.lam.invoke(FunctionName=EVENTS_FN, Payload=json.dumps(body).encode())
        if resp.get("FunctionError"):
            raise RuntimeError(resp["Payload"].read().decode())
        run = self.run(run_id)
        self._settle(run)
        self._settle_children()
        for other in list(self.runs.values()):  # a parent waiting for this child goes on
            if other is not run and other.status in ("running", "waiting"):
                self._settle(other)
        return run

    def advance(self, duration: str | float) -> None:
        """Move virtual time forward; event waits whose timeout passed time out, and executions past the
        machine's TimeoutSeconds (``@workflow(timeout=...)``) time out as on AWS (status TIMED_OUT)."""
        self.clock += parse_duration(duration) if isinstance(duration, str) else float(duration)
        # as the local engine's advance: time jumps, then what fell due happens in deadline order, each
        # settled before the next (a Map item whose timer was due at 1h opens its wait before one due at 2h)
        while self._fire_next_due():
            self._settle_all()
        self._settle_all()

    def _fire_next_due(self) -> bool:
        """Time out or wake the earliest of what is due by the clock (an execution past TimeoutSeconds, an
        event wait past its timeout, a Wait state's timer); False when nothing is."""
        limit = self.definition.get("TimeoutSeconds")
        due: list[tuple[float, int, tuple[str, int], Any]] = []
        if limit is not None:
            for run in self.runs.values():
                if run.status in ("running", "waiting") and run.started + limit <= self.clock:
                    due.append((run.started + limit, 0, ("", 0), run))
        with self._lock:
            for w in self._waiters.values():
                if w.deadline is not None and w.deadline <= self.clock and w.pending():
                    due.append((w.deadline, 1, (w.position, 0), w))
            for t in self._timers.values():
                if not t.fired.is_set() and t.deadline <= self.clock:
                    due.append((t.deadline, 1, t.order, t))
        if not due:
            return False
        *_, first = min(due, key=lambda d: d[:3])
        if isinstance(first, AwsRun):
            self._time_out_execution(first, float(limit or 0))
        elif isinstance(first, _Waiter):
            with self._lock:
                self._time_out(first)
        else:
            first.fired.set()
        return True

    def _settle_all(self) -> None:
        for run in list(self.runs.values()):
            if run.status in ("running", "waiting"):
                self._settle(run)
        self._settle_children()

    def _time_out_execution(self, run: AwsRun, limit: float) -> None:
        """What AWS does past TimeoutSeconds: the execution ends TIMED_OUT, its waits abandoned. The run's
        error is the local engine's WorkflowTimeout, as a client reading TIMED_OUT reports it."""
        from datetime import UTC, timedelta

        from portaflow.dsl.durations import format_duration

        started = self.sfn.describe_execution(executionArn=run.arn)["startDate"]
        until = (started.astimezone(UTC) + timedelta(seconds=limit)).strftime("%Y-%m-%d %H:%M:%S")
        name = self.program.workflows[self.program.entry].name
        run.timed_out = True
        run.status = "failed"
        run.error = {
            "type": "WorkflowTimeout",
            "message": f"workflow {name!r} passed its execution timeout of {format_duration(limit)} "
            f"(@workflow(timeout=...)): the run had until {until} UTC",
        }
        run.waiting_for, run.wait_label = None, None
        self.sfn.stop_execution(executionArn=run.arn, error="States.Timeout", cause="execution timed out")
        with self._lock:
            for w in self._waiters.values():
                if w.run_id == run.run_id:
                    self._time_out(w)
            for t in self._timers.values():
                if t.run_id == run.run_id:
                    t.fired.set()

    def _refresh(self, run: AwsRun) -> str:
        d = self.sfn.describe_execution(executionArn=run.arn)
        status = d["status"]
        if run.timed_out:
            return "TIMED_OUT"
        if status == "SUCCEEDED":
            run.status = "completed"
            raw = d.get("output")
            try:
                run.output = json.loads(raw) if raw is not None else None
            except ValueError:  # moto returns a string output unquoted
                run.output = raw
        elif status in ("FAILED", "TIMED_OUT", "ABORTED"):
            run.status = "failed"
            run.error = self._failure(run)
        return str(status)

    def _failure(self, run: AwsRun) -> dict[str, str]:
        events = self.sfn.get_execution_history(executionArn=run.arn, reverseOrder=True, maxResults=5)[
            "events"
        ]
        for e in events:
            det = e.get("executionFailedEventDetails")
            if det is not None:
                cause = det.get("cause") or ""
                message = cause
                try:
                    parsed = json.loads(cause)
                    if isinstance(parsed, dict) and "errorMessage" in parsed:
                        message = parsed["errorMessage"]
                except ValueError:
                    pass
                return {"type": det.get("error", ""), "message": message}
        return {"type": "States.Unknown", "message": ""}

    def _settle(self, run: AwsRun) -> None:
        """Return once the run completed or failed, or waits: every interpreter thread is parked in a callback
        wait with no outcome, or blocked until such threads finish. Wait states and retry sleeps take no
        time and Lambda invokes run on these threads, so nothing but an event or :meth:`advance` can move
        it on: the answer does not depend on timing."""
        deadline = time.monotonic() + self.timeout
        while True:
            busy = self._busy()  # first: once nothing can move, the status read next is final
            if self._refresh(run) != "RUNNING":
                return
            if busy is None:
                through = childruns.family(self, run.run_id)  # children it waits for (.sync:2)
                with self._lock:
                    mine = [w for w in self._waiters.values() if w.run_id == run.run_id and w.pending()]
                    theirs = [w for w in self._waiters.values() if w.run_id in through and w.pending()]
                    timers = [
                        t for t in self._timers.values() if t.run_id == run.run_id and not t.fired.is_set()
                    ]
                if timers and not mine and not theirs:
                    # as the local engine on its virtual clock: a run that waits for no event skips ahead to
                    # its next timer (a run that waits for one stays until an event or advance moves it)
                    first = min(timers, key=lambda t: (t.deadline, t.order))
                    self.clock = max(self.clock, first.deadline)
                    first.fired.set()
                    continue
                if not mine and not theirs:
                    raise RuntimeError(f"execution {run.run_id} is running but no state of it can move on")
                run.status = "waiting"
                if mine:
                    mine.sort(key=lambda w: position_order(w.position))  # the local engine's waiting_for
                    run.waiting_for, run.wait_label = mine[0].event, mine[0].label
                else:  # as the local engine's status: it waits for its child run
                    run.waiting_for, run.wait_label = "~child:" + through[str(theirs[0].run_id)], None
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"execution {run.run_id} did not settle within {self.timeout}s: {busy}")
            time.sleep(POLL)

    def _threads(self) -> list[threading.Thread]:
        """moto's interpreter threads started since this harness started, still alive."""
        from moto.stepfunctions.parser.utils import TMP_THREADS

        return [t for t in TMP_THREADS[self._first_thread :] if t.is_alive()]

    def _busy(self) -> str | None:
        """None when no interpreter thread of this harness can move on by itself; else where one is busy.

        One snapshot of every thread's stack (``sys._current_frames`` is taken atomically) says where each
        thread was; a thread counts as blocked when it was inside one of the waits :func:`_parking`
        recognises and what it waits for had not happened when checked afterwards. Those conditions only
        ever turn one way (an event gets set, an outcome arrives, a thread ends), so a thread found blocked
        was blocked from the snapshot to the check, and so could start nothing and wake nobody."""
        from moto.stepfunctions.parser.utils import TMP_THREADS

        ours = {id(t) for t in TMP_THREADS[self._first_thread :]}
        # threads by ident, not by walking each stack to its bottom frame: another thread's frames are only
        # safe to read while that thread is parked, and threads not of this harness (a server's event loop)
        # run on meanwhile (reading their frames crashed the interpreter)
        by_ident = {t.ident: t for t in threading.enumerate()}
        stacks: dict[threading.Thread, FrameType] = {}
        for ident, frame in _current_frames().items():
            thread = by_ident.get(ident)
            if thread is not None and id(thread) in ours:
                stacks[thread] = frame
        for thread, frame in stacks.items():
            parked = _parking(frame)
            if parked is None:
                return f"{thread.name} runs {_where(frame)}"
            kind, on = parked
            if kind == "callback" and on.pending():
                continue
            if kind == "event" and not on.is_set():
                continue
            if kind == "timer" and not on.fired.is_set():
                continue
            if kind == "join" and on in stacks:  # the joined thread is one of these, checked in turn
                continue
            return f"{thread.name} is about to wake in {_where(frame)}"
        return None

    # ------------------------------------------------------------------------------------ dispatching
    def invoke(self, function_name: str, body: Any, response_headers: Any) -> bytes:
        name = function_name.rsplit(":function:", 1)[-1].split(":")[0]
        event = json.loads(body) if body else {}
        if name == EVENTS_FN and event.get("action") == "wait":
            with self._lock:
                label = event.get("label")
                self._tokens[str(event.get("token"))] = (
                    str(event.get("run_id")),
                    str(event.get("event")),
                    None if label is None else str(label),
                    str(event.get("position") or ""),
                )
        try:
            if name == EVENTS_FN and event.get("action") == "jitter":
                # a jittered retry delay: the failed attempt's, on the virtual clock as a Retry's sleep is
                # (the events function's sleep of the fraction and the Wait of the whole seconds take none)
                self._record_jitter(event, runtime.jitter_seconds(event))
                result: Any = runtime.retry_delay(event, sleep=lambda seconds: None)
            elif name == EVENTS_FN:
                import boto3

                result = runtime.handle_events(
                    event,
                    boto3.client("dynamodb", region_name=REGION),
                    boto3.client("stepfunctions", region_name=REGION),
                    TABLE,
                )
            else:
                ident = name.removeprefix("pf-step-")
                result = self._invoke_step(next(k for k, i in self.idents.items() if i == ident), event)
        except Exception as exc:  # the Lambda runtime reports any exception by its class name
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps({"errorType": type(exc).__name__, "errorMessage": str(exc)}).encode()
        return json.dumps(result).encode()

    def _invoke_step(self, step_key: str, event: dict[str, Any]) -> Any:
        sd = self.program.steps[step_key]
        step = self.steps[step_key]
        inv = StepInvocation(
            sd.name,
            dict(event.get("args") or {}),
            str(event.get("idempotency_key")),
            int(event.get("attempt", 1)),
            timeout=sd.timeout_seconds,
            started=time.monotonic(),
        )
        meta = event.get("meta") or {}
        lane = (str(event.get("run_id")), str(meta.get("state")), meta.get("item"))
        with self._lock:
            self.invocations.append(inv)
            self._lanes[lane] = inv
        try:
            return runtime.handle_step(step, event)
        except runtime.StepError as exc:
            inv.error = {"type": exc.type_name, "message": exc.message}
            raise
        finally:
            inv.finished = time.monotonic()

    def record_retry(self, context: dict[str, Any], seconds: float) -> None:
        """A Task's Retry sleep: the delay of the attempt that failed on this state's lane."""
        lane = (
            str(context.get("Execution", {}).get("Name")),
            str(context.get("State", {}).get("Name")),
            (context.get("Map") or {}).get("Item", {}).get("Index"),
        )
        with self._lock:
            self._delay(self._lanes.get(lane), seconds)

    def _record_jitter(self, event: dict[str, Any], seconds: float) -> None:
        """The delay before a jittered step's next attempt (its explicit retry loop), on the attempt that
        failed: found by the step call's key and the attempt (the Map item index of the context is not on
        every state of an iteration in moto)."""
        key, attempt = str(event["key"]), int(event["attempt"])
        with self._lock:
            inv = next((i for i in reversed(self.invocations) if i.key == key and i.attempt == attempt), None)
            self._delay(inv, seconds)

    def _delay(self, inv: StepInvocation | None, seconds: float) -> None:
        """(Lock held.) ``inv`` failed and the next attempt waits ``seconds``, on the virtual clock."""
        if inv is not None:
            inv.delay = seconds
            if inv.error is None and inv.timed_out():
                inv.error = {"type": "TimeoutError", "message": f"step {inv.step!r} timed out"}
        self.clock += seconds

    def sleep_until(self, context: dict[str, Any], seconds: float) -> None:
        """A Wait state: park until the virtual clock reaches its deadline (:meth:`_settle` skips to it
        when the run waits for no event, :meth:`advance` otherwise). :func:`_parking` recognises the
        thread in the loop below by its frames."""
        run_id = str(context.get("Execution", {}).get("Name"))
        index = (context.get("Map") or {}).get("Item", {}).get("Index")
        state = str(context.get("State", {}).get("Name"))
        if state.startswith(RETRY_WAIT):  # a jittered step's retry delay: recorded by _record_jitter
            return
        t = _Timer(self.clock + seconds, run_id, (state, index if isinstance(index, int) else -1))
        with self._lock:
            self.sleeps.setdefault(run_id, []).append((self.clock, t.order[1], t.order[0], seconds))
            if seconds <= 0:
                return
            self._timers[id(t)] = t
        try:
            while not t.fired.is_set():
                t.fired.wait()
        finally:
            with self._lock:
                self._timers.pop(id(t), None)

    def _time_out(self, w: _Waiter) -> None:
        from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackConsumerTimeout

        w.timed_out.set()
        # as on AWS, the token of a wait that timed out is dead: SendTaskSuccess on it raises TaskTimedOut
        # (so the events function buffers the event for the next wait instead of handing it to this one)
        w.endpoint.report(CallbackConsumerTimeout())
        w.endpoint.interrupt_all()  # wakes the waiting thread; it finds no outcome

    def wait_for_callback(self, timeout_seconds: float | None, endpoint: Any) -> Any:
        """moto's callback wait, its timeout on the virtual clock (:meth:`advance` fires it). The thread
        parks in the loop below: :func:`_parking` recognises it there by its frames."""
        run_id, event, label, position = self._tokens.get(endpoint.callback_id, (None, None, None, ""))
        deadline = None if timeout_seconds is None else self.clock + timeout_seconds
        w = _Waiter(endpoint, deadline, run_id, event, label, position)
        with self._lock:
            self._waiters[id(w)] = w
        try:
            while w.pending():
                endpoint.wait()  # an outcome, or _time_out, wakes it
            return endpoint.get_outcome()  # None: timed out
        finally:
            with self._lock:
                self._waiters.pop(id(w), None)


def _where(frame: FrameType) -> str:
    while frame.f_code.co_filename == threading.__file__ and frame.f_back is not None:
        frame = frame.f_back
    return f"{frame.f_code.co_name} ({frame.f_code.co_filename}:{frame.f_lineno})"


@functools.cache
def _join_sites() -> dict[tuple[str, str], str]:
    """The places where moto's interpreter blocks a thread until other interpreter threads finish (a
    Parallel's branches, a Map's iterations, a branch's program, a state's evaluation thread), by file and
    qualified name (the harness wraps one of them), with the ``threading`` call it blocks in. Every other
    wait in moto's interpreter is patched (Wait, retry sleeps, the callback wait) or unused by compiled
    workflows; the canaries pin both facts."""
    from moto.stepfunctions.parser.asl.component.program import program
    from moto.stepfunctions.parser.asl.component.state.exec import execute_state
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration import job
    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import branches_decl

    return {
        (program.__file__, "Program.eval"): "join",
        (branches_decl.__file__, "BranchWorkerPool.wait"): "wait",
        (job.__file__, "JobPool.await_jobs"): "wait",
        (execute_state.__file__, "ExecutionState._evaluate_with_timeout"): "wait",
        (childruns.__file__, "join_execution"): "join",  # a .sync:2 Task waiting for its child
    }


def _parking(frame: FrameType) -> tuple[str, Any] | None:
    """What a thread whose innermost frame is ``frame`` waits for, if it is parked in a wait the harness
    knows: ``("callback", waiter)`` in :meth:`AwsHarness.wait_for_callback`, ``("event", Event)`` or
    ``("join", Thread)`` at one of :func:`_join_sites`. None when it runs (or waits anywhere else)."""
    from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint

    call = None  # the outermost threading frame: the call the waiting code made
    while frame.f_code.co_filename == threading.__file__ and frame.f_back is not None:
        call, frame = frame, frame.f_back
    if call is None:
        return None
    if frame.f_code is AwsHarness.sleep_until.__code__:
        timer = frame.f_locals.get("t")
        return ("timer", timer) if isinstance(timer, _Timer) else None
    if frame.f_code is CallbackEndpoint.wait.__code__ and frame.f_back is not None:
        if frame.f_back.f_code is AwsHarness.wait_for_callback.__code__:
            waiter = frame.f_back.f_locals.get("w")
            return ("callback", waiter) if isinstance(waiter, _Waiter) else None
        return None
    expected = _join_sites().get((frame.f_code.co_filename, frame.f_code.co_qualname))
    target = call.f_locals.get("self")
    if expected == "wait" and call.f_code.co_name == "wait" and isinstance(target, threading.Event):
        return "event", target
    if expected == "join" and call.f_code.co_name == "join" and isinstance(target, threading.Thread):
        return "join", target
    return None


# ------------------------------------------------------------------------------------------------ patches


def _jsonata_eval(expression: str) -> Any:
    from moto.stepfunctions.parser.asl.jsonata.jsonata import JSONataException

    try:
        return evaluate(expression)
    except Exception as exc:
        raise JSONataException("UNKNOWN", str(exc)) from exc


def _query_evaluation_error(env: Any, expression: str, details: str | None) -> Exception:
    """The failure AWS reports for a JSONata expression that fails while a state evaluates it: the state fails
    with States.QueryEvaluationError (an EvaluationFailed event), which the state's Retry and Catch see, and
    which, uncaught, fails the execution. The Cause wraps the error's message in text naming the expression
    (AWS's exact wording for a thrown error is not documented; the compiled machine only relies on the
    message being in the Cause, see jsonata.ERROR_MARKER)."""
    from moto.stepfunctions.parser.api import EvaluationFailedEventDetails, HistoryEventType
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )

    name = StatesErrorName(typ=StatesErrorNameType.StatesQueryEvaluationError)
    details_ = EvaluationFailedEventDetails(
        error=name.error_name,
        cause=f"The JSONata expression '{expression}' specified for the field '{env.next_field_name}' threw "
        f"an error during evaluation: {details}",
        location=str(env.next_field_name),
        state=str(env.next_state_name),
    )
    event_details: Any = {"evaluationFailedEventDetails": details_}  # moto's EventDetails: a total=False dict
    event = FailureEvent(
        env=env, error_name=name, event_type=HistoryEventType.EvaluationFailed, event_details=event_details
    )
    env.event_manager.add_event(
        context=env.event_history_context,
        event_type=HistoryEventType.EvaluationFailed,
        event_details=event_details,
    )
    return FailureEventException(failure_event=event)


def _branch_error_name(error_name: str | None) -> Any:
    """The error name a failed Parallel branch or Map iteration passes on to its state: moto builds it as a
    custom name, which refuses the ``States.`` prefix (ValueError, and the run fails with States.Runtime);
    AWS passes on a branch's States.QueryEvaluationError (or States.Timeout...) for the state's Catch."""
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName

    if error_name is not None and error_name.startswith("States."):
        try:
            return StatesErrorName.from_name(error_name)
        except ValueError:
            pass
    return CustomErrorName(error_name=error_name)


def _encode_declarations(bindings: dict[str, Any]) -> str:
    """moto's encoder without its bug: string values are JSON-escaped."""
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

    return "".join(f"{k}:={to_json_str(v, separators=(',', ':'))};" for k, v in bindings.items())


_VARIABLE = re.compile(r"\$\$|\$[A-Za-z0-9_$]+(?:\.[A-Za-z0-9_][A-Za-z0-9_$]*)*|\$")  # as moto reports them
_OPERATORS = frozenset(".[]{}(),@#;:?+-*/%|=<>^&!~")  # JSONata's one-character operators: they end a name
_INFIX_WORDS = frozenset({"and", "or", "in"})


def _variable_references(expression: str) -> set[str]:
    """moto's scan for the variables a JSONata expression uses, without its bug: moto pairs any two
    slashes as a regex literal, so a division followed by a regex (``int(s) // 2`` lowers to both)
    hides what lies between and can end on a lone ``$`` it rejects. JSONata (jsonata-js, and so Step
    Functions) reads a ``/`` after an operand as division and only in operand position as a regex; this
    follows its lexer: strings, comments, backquoted names and regexes (closing slash at bracket depth 0)
    are skipped, and ``$name.path`` references are reported as moto reports them."""
    from moto.stepfunctions.parser.asl.jsonata.jsonata import IllegalJSONataVariableReference

    refs: set[str] = set()
    i, n = 0, len(expression)
    after_operand = False  # the last token ends an operand, so a "/" divides
    while i < n:
        ch = expression[i]
        if ch.isspace():
            i += 1
        elif expression.startswith("/*", i):
            end = expression.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif ch in "\"'":
            i = _skip_string(expression, i)
            after_operand = True
        elif ch == "`":
            end = expression.find("`", i + 1)
            i = n if end < 0 else end + 1
            after_operand = True
        elif ch == "/" and not after_operand:
            i = _skip_regex(expression, i + 1)
            after_operand = True
        elif ch == "$":
            m = _VARIABLE.match(expression, i)
            assert m is not None  # the pattern matches a lone "$"
            refs.add(m.group())
            i = m.end()
            after_operand = True
        elif ch in _OPERATORS:
            after_operand = ch in ")]}"
            i += 1
        else:  # a name, number or keyword
            j = i
            while j < n and not expression[j].isspace() and expression[j] not in _OPERATORS:
                j += 1
            after_operand = expression[i:j] not in _INFIX_WORDS
            i = j
    for ref in refs & {"$", "$$"}:
        raise IllegalJSONataVariableReference(variable_reference=ref)
    return refs


def _skip_string(text: str, start: int) -> int:
    quote, i = text[start], start + 1
    while i < len(text) and text[i] != quote:
        i += 2 if text[i] == "\\" else 1
    return i + 1


def _skip_regex(text: str, i: int) -> int:
    """Past a regex literal's closing slash and flags (jsonata-js ``scanRegex``)."""
    depth = 0
    while i < len(text):
        ch = text[i]
        escaped = text[i - 1] == "\\"
        if ch == "/" and depth == 0:
            k = i
            while text[k - 1] == "\\":
                k -= 1
            if (i - k) % 2 == 0:  # not escaped
                i += 1
                while i < len(text) and text[i] in "im":
                    i += 1
                return i
        if ch in "([{" and not escaped:
            depth += 1
        elif ch in ")]}" and not escaped:
            depth -= 1
        i += 1
    return i


def patches(h: AwsHarness) -> list[Any]:
    """The moto internals the harness replaces (each has a canary test)."""
    from moto.awslambda_simple.models import LambdaSimpleBackend
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.common.string import string_expression
    from moto.stepfunctions.parser.asl.component.common.string.string_expression import StringJSONata
    from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import Timeout
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
    from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration import iteration_worker
    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import branches_decl
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_callback as cb,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
        ResourceCondition,
    )
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
    from moto.stepfunctions.parser.asl.eval import states as states_mod
    from moto.stepfunctions.parser.asl.eval import variable_store
    from moto.stepfunctions.parser.asl.jsonata import jsonata as jsonata_mod

    def invoke(
        self: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any
    ) -> bytes:
        return h.invoke(function_name, body, response_headers)

    def wait_interval(self: Any, env: Any, wait_seconds: int) -> None:
        h.sleep_until(env.states.context_object.context_object_data, float(wait_seconds))

    original_retrier_eval = retrier_decl.RetrierDecl._eval_body
    retrying = threading.local()  # the context object of the state this thread retries

    def retrier_eval(self: Any, env: Any) -> None:
        retrying.ctx = env.states.context_object.context_object_data
        original_retrier_eval(self, env)

    class RetrierTime:
        """The retrier module's ``time``, patched once: concurrent Map iterations retry at the same time,
        so the sleep finds its state through a thread-local, not through a patch per retry."""

        @staticmethod
        def sleep(seconds: float) -> None:
            h.record_retry(retrying.ctx, float(seconds))

    def heap_key(self: Any) -> str:
        # moto creates the key lazily without a lock: two Map iterations retrying a state for the first
        # time at once can each store a different key, and one of them then loses its attempt count and
        # retries once too often. The key need only be unique among live components.
        return f"pf-{id(self)}"

    def callback_wait(self: Any, timeout_seconds: int, callback_endpoint: Any) -> Any:
        return h.wait_for_callback(timeout_seconds, callback_endpoint)

    original_jsonata_body = StringJSONata._eval_body

    def jsonata_body(self: Any, env: Any) -> None:
        try:
            original_jsonata_body(self, env)
        except jsonata_mod.JSONataException as exc:
            raise _query_evaluation_error(env, self.expression, exc.details) from exc

    # moto also bounds a whole Task by its TimeoutSeconds in real time, in the thread that evaluates it;
    # for a callback wait that would time the event out on the wall clock. There the bound is dropped:
    # the wait itself times out on the virtual clock (step timeouts stay real: a step runs for real).
    original_with_timeout = ExecutionState._evaluate_with_timeout
    original_timeout_eval = Timeout._eval_body
    unbounded = threading.local()

    def with_timeout(self: Any, env: Any) -> None:
        waits = isinstance(self, cb.StateTaskServiceCallback) and (
            self.resource.condition == ResourceCondition.WaitForTaskToken
        )
        unbounded.next = waits  # the first timeout this thread evaluates is the Task's bound
        try:
            original_with_timeout(self, env)
        finally:
            unbounded.next = False

    def timeout_eval(self: Any, env: Any) -> None:
        original_timeout_eval(self, env)
        if getattr(unbounded, "next", False):
            unbounded.next = False
            env.stack[-1] = None  # Event.wait(None): no bound

    # moto raises TaskTimedOut() without the message its base class requires (a TypeError inside the events
    # function) when a token's wait timed out: raise it as AWS does, before moto's broken raise
    from moto.core.exceptions import AWSError
    from moto.core.responses import EmptyResult
    from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackConsumerTimeout
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend
    from moto.stepfunctions.responses import StepFunctionResponse

    class TaskTimedOut(AWSError):  # moto's own class lacks the TYPE its responses read: no error code
        TYPE = "TaskTimedOut"
        STATUS = 400

    original_send_success = StepFunctionsParserBackend.send_task_success

    def send_task_success(self: Any, task_token: str, outcome: str) -> Any:
        for execution in self._get_executions():
            worker = getattr(execution, "exec_worker", None)
            endpoint = worker.env.callback_pool_manager.get(task_token) if worker is not None else None
            if endpoint is not None and isinstance(endpoint.consumer_error, CallbackConsumerTimeout):
                raise TaskTimedOut("Task Timed Out: the wait for this token timed out")
        return original_send_success(self, task_token, outcome)

    original_send_failure = StepFunctionsParserBackend.send_task_failure

    def send_task_failure(self: Any, task_token: str, error: Any = None, cause: Any = None) -> Any:
        for execution in self._get_executions():  # a timed-out wait's token is dead, as for a success
            worker = getattr(execution, "exec_worker", None)
            endpoint = worker.env.callback_pool_manager.get(task_token) if worker is not None else None
            if endpoint is not None and isinstance(endpoint.consumer_error, CallbackConsumerTimeout):
                raise TaskTimedOut("Task Timed Out: the wait for this token timed out")
        return original_send_failure(self, task_token, error=error, cause=cause)

    def send_task_failure_request(self: Any) -> Any:
        """moto's SendTaskFailure request handler passes the error on but drops the cause (AWS keeps
        both: a failure event's message and MRO travel in it)."""
        self.stepfunction_backend.send_task_failure(
            self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause")
        )
        return EmptyResult()

    # $now() and $millis() read the evaluation's timestamp, taken from the wall clock: the harness's own
    # clock instead (its start plus the virtual seconds sleeps, waits and retries took), as ctx.now() is on
    # the local engine's virtual clock
    from jsonata import timebox  # type: ignore[import-untyped]

    # the JSONata evaluator is looked up through the module global
    from moto.stepfunctions.parser.asl.component.intrinsic import jsonata as intrinsic

    def virtual_millis() -> int:
        return round((h.epoch + h.clock) * 1000)

    return [
        faithful(),
        mock.patch.object(timebox.Timebox, "current_milli_time", staticmethod(virtual_millis)),
        # moto declares $uuid as a stub returning a sentence; ours is registered on the evaluator
        mock.patch.dict(intrinsic._DECLARATION_BY_VARIABLE_REFERENCE, {"$uuid": ""}),
        mock.patch.object(LambdaSimpleBackend, "invoke", invoke),
        mock.patch.object(StepFunctionsParserBackend, "send_task_success", send_task_success),
        mock.patch.object(StepFunctionsParserBackend, "send_task_failure", send_task_failure),
        mock.patch.object(StepFunctionResponse, "send_task_failure", send_task_failure_request),
        mock.patch.object(WaitFunction, "_wait_interval", wait_interval),
        mock.patch.object(retrier_decl.RetrierDecl, "_eval_body", retrier_eval),
        mock.patch.object(retrier_decl, "time", RetrierTime),
        mock.patch.object(EvalComponent, "heap_key", property(heap_key)),
        mock.patch.object(cb.StateTaskServiceCallback, "_wait_for_task_token_timeout", callback_wait),
        mock.patch.object(ExecutionState, "_evaluate_with_timeout", with_timeout),
        mock.patch.object(Timeout, "_eval_body", timeout_eval),
        mock.patch.object(jsonata_mod, "_eval_jsonata", _jsonata_eval),
        mock.patch.object(StringJSONata, "_eval_body", jsonata_body),
        mock.patch.object(branches_decl, "CustomErrorName", _branch_error_name),
        mock.patch.object(iteration_worker, "CustomErrorName", _branch_error_name),
        mock.patch.object(string_expression, "extract_jsonata_variable_references", _variable_references),
        mock.patch.object(jsonata_mod, "extract_jsonata_variable_references", _variable_references),
        mock.patch.object(states_mod, "encode_jsonata_variable_declarations", _encode_declarations),
        mock.patch.object(variable_store, "encode_jsonata_variable_declarations", _encode_declarations),
        *childruns.patches(h),
    ]


def _dummy_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("h.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()


@contextmanager
def fresh_project(path: Path, program: ir.Program) -> Iterator[tuple[ModuleType, dict[str, Any]]]:
    """Import the workflow's module and the modules of its steps afresh, as a cold Lambda does: while the
    harness runs, the project's modules (the workflow's module and every project module it imports) are
    new copies with fresh module-level state, importable by their names from the workflow's folders (as
    in the deployed package); afterwards ``sys.modules`` and ``sys.path`` are as they were. Yields the
    workflow's module and each step's object by its key."""
    finder = ModuleFinder(path)
    tops = {mf.top for mf, _ in finder.closure()} | {program.module.split(".", 1)[0]}

    def ours(name: str) -> bool:
        return name.split(".", 1)[0] in tops

    saved = {name: m for name, m in sys.modules.items() if ours(name)}
    for name in saved:
        del sys.modules[name]
    roots = [str(r) for r in finder.roots]
    sys.path[:0] = roots
    try:
        entry = _import_workflow_module(path, program.module)
        steps: dict[str, Any] = {}
        for key, sd in program.steps.items():
            home = entry if sd.module in ("", program.module) else importlib.import_module(sd.module)
            steps[key] = getattr(home, sd.function)
        yield entry, steps
    finally:
        for name in [n for n in sys.modules if ours(n)]:
            del sys.modules[name]
        sys.modules.update(saved)
        for r in roots:
            sys.path.remove(r)


def _import_workflow_module(path: Path, name: str) -> ModuleType:
    if all(part.isidentifier() for part in name.split(".")):
        return importlib.import_module(name)
    # a file name Python cannot import by name: load it by path
    unique = f"portaflow_user_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(unique, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[unique] = module
    spec.loader.exec_module(module)
    return module


@contextmanager
def run_on_moto(path: str | Path, workflow: str | None = None) -> Iterator[AwsHarness]:
    """Context manager form of :class:`AwsHarness`."""
    with AwsHarness(path, workflow) as h:
        yield h
