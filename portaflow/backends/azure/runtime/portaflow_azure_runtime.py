"""Code that runs inside the generated Azure Functions app (and, in-process, in the offline host).

The generated orchestrators are Python lowered from portaflow's IR; what every one of them needs lives here,
once: the numbering of step calls (so idempotency keys are the local engine's), steps with portaflow's retry
policy as orchestrator code (Durable Functions' ``RetryOptions`` has no backoff cap and no non-retryable
list), a step ``timeout`` as a race with a durable timer, typed errors carried by an envelope (the SDK
turns an activity's exception into a plain ``Exception``), waits for events with timeouts that keep
Python's buffering rules, and ``ctx.map``/``ctx.parallel`` as a deterministic scheduler over ``task_any``.

Only the standard library, ``azure.durable_functions`` and ``portaflow.dsl`` (shipped in the app) are
imported. ``TRACE`` is None when deployed; the offline executor sets it to observe step attempts, retry
delays and sleeps exactly once each (never on replay).
"""

from __future__ import annotations

import builtins
import importlib
import json
import logging
import sys
import uuid
from collections.abc import Callable, Generator, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from portaflow.dsl.durations import format_duration, parse_duration
from portaflow.dsl.errors import (
    EventFailed,
    EventTimeout,
    PortaflowError,
    StepFailed,
    WorkflowError,
    make_child_failed,
    make_event_failed,
    make_step_failed,
    resolve_exception_class,
)
from portaflow.dsl.events import event_data as event_data  # the app's event endpoints build data with it
from portaflow.dsl.events import event_outcome
from portaflow.dsl.fanout import DEFAULT as DEFAULT_TOLERANCE
from portaflow.dsl.fanout import Tolerance
from portaflow.dsl.retry import jittered

ERROR_MARK = "portaflow_error"
SHORT_TIMER = timedelta(days=6)  # the host's maximumShortTimerDuration: longer timers are chains
TRACE: Callable[..., None] | None = None
WORKFLOW_LOG = logging.getLogger("portaflow.workflow")  # ctx.log lines, as on the local engine

Gen = Generator[Any, Any, Any]
_TIMED_OUT = object()  # an event wait's timeout, told apart from any event's data
_ENCODER = json.JSONEncoder(allow_nan=False, separators=(",", ":"), ensure_ascii=False)


def json_copy(value: Any, what: str) -> Any:
    """``value`` as the JSON round trip gives it back (the local engine's rule), or WorkflowError."""
    try:
        text = _ENCODER.encode(value)
    except (TypeError, ValueError) as exc:
        raise WorkflowError(
            f"{what} must be a JSON value (dict, list, str, number, bool, None): {exc}"
        ) from None
    return json.loads(text)


# ------------------------------------------------------------------------------------------- activities
def error_envelope(exc: BaseException) -> dict[str, Any]:
    """What crosses from an activity to the orchestrator for an exception: enough to rebuild its class."""
    cls = type(exc)
    return {
        ERROR_MARK: 1,
        "type": cls.__name__,
        "module": cls.__module__,
        "qualname": cls.__qualname__,
        "message": str(exc),
        "mro": [c.__name__ for c in cls.__mro__ if c is not object],
    }


def run_activity(step: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Call a user's ``@step`` with the arguments the orchestrator sent; never raises: the result or the
    error travels in the returned envelope (``{"result": ...}`` or ``{"error": ..., "fatal": bool}``)."""
    fn = getattr(step, "fn", step)
    name = getattr(step, "name", getattr(fn, "__name__", "step"))
    kwargs = dict(payload.get("args") or {})
    if getattr(step, "takes_idempotency_key", False) and "idempotency_key" not in kwargs:
        kwargs["idempotency_key"] = payload["idempotency_key"]
    try:
        value = fn(**kwargs)
    except Exception as exc:
        return {"error": error_envelope(exc), "fatal": False}
    try:
        result = json_copy(value, f"the result of step {name!r}")
    except WorkflowError as exc:  # a bug in the step: retrying cannot help (as on the local engine)
        return {"error": error_envelope(TypeError(str(exc))), "fatal": True}
    return {"result": result}


# ------------------------------------------------------------------------------------------------ errors
def error_class(name: str, modules: Iterable[str] = ()) -> type[BaseException]:
    """The exception class ``raise Name(...)`` means in the workflow: a builtin, else the project's own."""
    found = getattr(builtins, name, None)
    if isinstance(found, type) and issubclass(found, BaseException):
        return found
    for module in modules:
        mod = sys.modules.get(module) or importlib.import_module(module)
        found = getattr(mod, name, None)
        if isinstance(found, type) and issubclass(found, BaseException):
            return found
    return type(name, (Exception,), {})


def error(name: str, message: str | None, modules: Iterable[str] = ()) -> BaseException:
    """The exception of ``raise Name(...)``: ``message`` is its text as ``str(e)`` shows it (the IR's
    form: for ``KeyError(k)`` that is ``repr(k)``, which the class itself would quote once more)."""
    cls = error_class(name, modules)
    if message is None:
        return cls()
    exc = cls(message)
    if str(exc) != message:
        text = message
        shown = type(cls.__name__, (cls,), {"__module__": cls.__module__, "__str__": lambda self: text})
        exc = shown(message)
    return exc


MAX_CHILD_ID = 64  # a child run id's length at most (the local engine's children.MAX_CHILD_ID)


def _known_class(name: str, modules: Iterable[str]) -> type[BaseException] | None:
    """The exception class ``name`` names among the built-ins and the workflow's modules, or None."""
    found = getattr(builtins, name, None)
    if isinstance(found, type) and issubclass(found, BaseException):
        return found
    for module in modules:
        found = getattr(sys.modules.get(module) or importlib.import_module(module), name, None)
        if isinstance(found, type) and issubclass(found, BaseException):
            return found
    return None


def workflow_result(value: Any, name: str) -> Any:
    """The run's output: JSON, or the local engine's TypeError naming the workflow."""
    try:
        return json_copy(value, f"the result of workflow {name!r}")
    except WorkflowError as exc:
        raise TypeError(str(exc)) from None


def step_failure(step: str, info: Mapping[str, Any], attempts: int) -> StepFailed:
    """The exception a workflow sees for a failed step: a StepFailed that is also the original class."""
    original = None
    module = info.get("module")
    if module and module not in sys.modules:
        try:
            importlib.import_module(module)
        except ImportError:
            module = None
    if module:
        original = resolve_exception_class(module, str(info["qualname"]))
    if original is None:
        original = resolve_exception_class("builtins", str(info["type"]))
    return make_step_failed(step, str(info["type"]), str(info["message"]), attempts, original)


def caught(exc: BaseException, names: tuple[str, ...], step_failed: bool) -> bool:
    """Whether ``except <names>`` catches ``exc``: by the names of its classes, as Python matches classes.
    ``step_failed``: the clause names StepFailed, which catches every failed step and nothing else. A
    failure event is caught by its type's name (``names`` holds every subclass the compiler sees, as the
    local engine resolves the type among the same classes) and by EventFailed."""
    if step_failed and isinstance(exc, StepFailed):
        return True
    if isinstance(exc, EventFailed) and exc.type in names:
        return True
    mro = {c.__name__ for c in type(exc).__mro__}
    return any(n in mro for n in names if n != "StepFailed")


def is_error(value: Any, types: tuple[str, ...], matches: tuple[str, ...], catch_all: bool) -> bool:
    """``isinstance(value, <exception classes>)`` (``ir.IsError``): what ``except types`` would catch."""
    if not isinstance(value, BaseException):
        return False
    return catch_all or caught(value, matches, "StepFailed" in types)


def error_field(exc: BaseException, field: str) -> Any:
    """``e.type`` / ``e.message`` / ``e.step`` / ``e.attempts`` as the IR defines them (docs/ir.md)."""
    if isinstance(exc, StepFailed):
        return {"type": exc.type, "message": exc.message, "step": exc.step, "attempts": exc.attempts}[field]
    return {"type": type(exc).__name__, "message": str(exc)}.get(field)


def run_error(exc: BaseException) -> Exception:
    """What the orchestrator raises when the workflow fails: its type and message as JSON, one line."""
    info = {"type": exc.type, "message": exc.message} if isinstance(exc, StepFailed | EventFailed) else None
    if info is None:
        info = {"type": type(exc).__name__, "message": str(exc)}
    return Exception(json.dumps({ERROR_MARK: 1, **info}))


# ---------------------------------------------------------------------------------------------- the run
class _FifoDeferred(dict):  # type: ignore[type-arg]
    """The SDK keeps one early event per name (a second one overwrites the first) and hands the same one to
    every later wait. portaflow delivers events raised before a wait in order, each once: a queue per name."""

    def __setitem__(self, key: Any, action: Any) -> None:
        self.setdefault(key, []).append(action)

    def __contains__(self, key: object) -> bool:
        return bool(dict.get(self, key))

    def __getitem__(self, key: Any) -> Any:
        return dict.__getitem__(self, key).pop(0)


class AnyOf:
    """What a fan-out's item yields to the fan-out: it resumes with the first of ``tasks`` completed. The
    fan-out waits on one ``task_any`` of all its items' tasks, each task once."""

    __slots__ = ("tasks",)

    def __init__(self, tasks: list[Any]) -> None:
        self.tasks = tasks

    def winner(self) -> Any:
        return next((t for t in self.tasks if t.is_completed), None)


def _done(awaited: Any) -> bool:
    return awaited.winner() is not None if isinstance(awaited, AnyOf) else bool(awaited.is_completed)


class Inbox:
    """A run's SDK task for one event name, open while a wait for the name is (or was, and timed out)."""

    __slots__ = ("task",)

    def __init__(self) -> None:
        self.task: Any = None


class Deadline(BaseException):
    """The run passed ``@workflow(timeout=...)``: a BaseException, so no ``except`` of the workflow
    stops it."""


class Scope:
    """The numbering of durable calls in the workflow, a child workflow or a parallel branch."""

    def __init__(self, run: Run, prefix: str) -> None:
        self.run = run
        self.prefix = prefix
        self.n = 0
        self.logs_at = (0, -1)  # ctx.log: (call number, its last log line's number)

    def next_path(self) -> str:
        path = f"{self.prefix}{self.n}"
        self.n += 1
        return path

    def key(self) -> str:
        """``ctx.idempotency_key()``: the key the next step call here will get."""
        return f"{self.run.run_id}:{self.prefix}{self.n}"


PATCHES_KEY = "~patches"  # in the input: the ctx.patched change ids of the code that started the run


def start_input(body: Any, patches: Iterable[str]) -> Any:
    """The input a run starts with: the workflow's input object and, when the app's workflows call
    ``ctx.patched``, the change ids this code has. Every replay reads them back, so a run started before a
    change was deployed keeps its old branch under the new code (docs/semantics.md)."""
    ids = sorted(patches)
    if not ids or not isinstance(body, dict):
        return body
    return {**body, PATCHES_KEY: ids}


class Run:
    """One orchestration episode's view of the run: its context, its steps, its scopes."""

    def __init__(
        self,
        context: Any,
        steps: Mapping[str, Mapping[str, Any]],
        modules: Iterable[str],
        workflow: str = "",
        timeout: float | None = None,
    ) -> None:
        self.context = context
        self.steps = steps
        self.modules = tuple(modules)
        self.workflow = workflow
        self.run_id = str(context.instance_id)
        self.root = Scope(self, "")
        # @workflow(timeout=...): from the first episode's time, which every replay sees here again
        self.timeout = timeout
        self.deadline = None if timeout is None else self.now() + timedelta(seconds=timeout)
        self._deadline_timer: Any = None
        self._inboxes: dict[str, Inbox] = {}
        self._depth = 0  # how many fan-outs the running code is inside
        self.closing = False
        context.deferred_tasks = _FifoDeferred(getattr(context, "deferred_tasks", {}) or {})
        data = context.get_input()
        recorded = data.get(PATCHES_KEY) if isinstance(data, dict) else None
        self.patches = frozenset(recorded) if isinstance(recorded, list) else frozenset()

    # ----------------------------------------------------------------------------------- observation
    def trace(self, kind: str, **data: Any) -> None:
        if TRACE is not None and not self.context.is_replaying:
            TRACE(self.run_id, kind, data)

    # ---------------------------------------------------------------------------------------- input
    def bind(self, params: tuple[str, ...], required: tuple[str, ...], extra: bool) -> dict[str, Any]:
        """The workflow's parameters from the run's input object, by name (docs/semantics.md)."""
        data = self.context.get_input()
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise TypeError(f"the input must be a JSON object of the workflow's parameters, not {data!r}")
        data = {k: v for k, v in data.items() if k != PATCHES_KEY}
        missing = [p for p in required if p not in data]
        if missing:
            raise TypeError(f"the input lacks the parameter(s) {', '.join(missing)}")
        unknown = [k for k in data if k not in params]
        if unknown and not extra:
            raise TypeError(f"the input has unknown parameter(s) {', '.join(unknown)}")
        return dict(data)

    def patched(self, change_id: str) -> bool:
        """``ctx.patched(change_id)``: whether the code that started this run had the change."""
        return change_id in self.patches

    # ----------------------------------------------------------------------------------------- time
    def ctx_now(self) -> datetime:
        """``ctx.now()`` in the workflow: a context call, so the deadline is checked first."""
        self.check_deadline()
        return self.now()

    def now(self) -> datetime:
        """``ctx.now()``: the episode's replay-safe time, an aware UTC datetime as on the local engine."""
        t: datetime = self.context.current_utc_datetime
        return t if t.tzinfo is not None else t.replace(tzinfo=UTC)

    def uuid4(self) -> uuid.UUID:
        self.check_deadline()
        return uuid.UUID(str(self.context.new_uuid()))

    def random(self) -> float:
        self.check_deadline()
        return uuid.UUID(str(self.context.new_uuid())).int / 2**128

    def _timer(self, seconds: float) -> Any:
        base: datetime = self.context.current_utc_datetime  # as the SDK keeps it (naive UTC)
        return self.context.create_timer(base + timedelta(seconds=max(float(seconds), 0.0)))

    def log(self, scope: Scope, message: str, fields: dict[str, Any]) -> None:
        """``ctx.log``: to the logger ``portaflow.workflow`` unless the orchestrator is replaying (Durable
        Functions replays the history at every episode: ``is_replaying`` is true until the code passes the
        last recorded action), so each line is written once, in the episode that first reaches it."""
        at, n = scope.logs_at
        n = n + 1 if at == scope.n else 0
        scope.logs_at = (scope.n, n)
        position = f"{scope.prefix}{scope.n}"
        fields = json_copy(fields, "the fields of ctx.log")
        if self.context.is_replaying:
            return
        WORKFLOW_LOG.info(
            "%s (run %s, step %s)",
            message,
            self.run_id,
            position,
            extra={"run_id": self.run_id, "position": position, "workflow": self.workflow, "fields": fields},
        )
        self.trace("log", message=message, position=position, fields=fields)

    def sleep(self, scope: Scope, duration: Any) -> Gen:
        seconds = parse_duration(duration, what="ctx.sleep duration")  # "1d" from the input, as locally
        self.check_deadline()
        self.trace("sleep", seconds=seconds)
        yield from self._wait(self._timer(seconds))

    def _wait(self, task: Any, bounded: bool = True) -> Gen:
        """The result of ``task`` (its exception raised). ``bounded``: past the run's deadline the wait ends
        with :class:`Deadline` (a timer, or an event wait; a running step is not cut short, as locally)."""
        yield from self._first([task], bounded)
        if task.state.name == "FAILED":
            raise task.result
        return task.result

    def _first(self, tasks: list[Any], bounded: bool = True) -> Gen:
        """The first of ``tasks`` to complete, once one has (and, ``bounded``, the run's deadline not passed).
        Inside a fan-out the item hands its tasks to the fan-out as an :class:`AnyOf` (the SDK gives a task
        one parent: two items' own ``task_any`` could not share the deadline timer or an event's task).
        An episode ends with the generator suspended; when Python closes it, GeneratorExit must not run
        durable calls in the user's ``finally`` blocks: later calls re-raise it."""
        if self.closing:
            raise GeneratorExit
        try:
            while True:
                timed = bounded and self.deadline is not None
                if timed and self._deadline_timer is None:
                    self._deadline_timer = self._timer_until(self.deadline)  # type: ignore[arg-type]
                every = [*tasks, self._deadline_timer] if timed else list(tasks)
                if self._depth:
                    winner = yield AnyOf(every)
                elif len(every) == 1 and not every[0]._is_scheduled:
                    yield every[0]  # the SDK sends its value, or throws its exception
                    winner = every[0]
                else:
                    # a task yielded before is awaited again as a new action: the host awaits actions in order
                    winner = yield self.context.task_any(every)
                if not timed or winner is not self._deadline_timer:
                    return winner
                self._deadline_timer = None  # a segment of a deadline more than six days away fired
                if self.now() >= self.deadline:  # type: ignore[operator]
                    raise Deadline
        except GeneratorExit:
            self.closing = True
            raise

    def _timer_until(self, when: datetime) -> Any:
        """A timer at ``when``, or at most six days ahead: a cancelled timer longer than that is a chain the
        cancellation does not reach, and the framework runs the next actions only after it."""
        base: datetime = self.context.current_utc_datetime
        due = when if base.tzinfo is not None else when.astimezone(UTC).replace(tzinfo=None)
        return self.context.create_timer(min(due, base + SHORT_TIMER))

    def _race(self, task: Any, seconds: float, bounded: bool = True) -> Gen:
        """Whether ``task`` completes within ``seconds`` (a timer race; the timer is cancelled when the
        task wins), with timers of at most six days."""
        base: datetime = self.context.current_utc_datetime
        end = base + timedelta(seconds=max(float(seconds), 0.0))
        while True:
            timer = self._timer_until(end)
            winner = yield from self._first([task, timer], bounded)
            if winner is not timer:
                timer.cancel()
                return True
            if self.context.current_utc_datetime >= end:
                return False

    def check_deadline(self) -> None:
        """Before each step attempt and context call, as the local engine checks."""
        if self.deadline is not None and self.now() >= self.deadline:
            raise Deadline

    def timeout_error(self) -> Exception:
        """The run's failure past its deadline: the local engine's WorkflowTimeout type and message."""
        assert self.deadline is not None and self.timeout is not None
        until = self.deadline.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        message = (
            f"workflow {self.workflow!r} passed its execution timeout of {format_duration(self.timeout)} "
            f"(@workflow(timeout=...)): the run had until {until} UTC"
        )
        return Exception(json.dumps({ERROR_MARK: 1, "type": "WorkflowTimeout", "message": message}))

    # ---------------------------------------------------------------------------------------- steps
    def step(self, scope: Scope, key: str, args: dict[str, Any], extra: Any = None) -> Gen:
        spec = self.steps[key]
        name = str(spec["name"])
        path = scope.next_path()
        idem = f"{self.run_id}:{path}"
        call = dict(args)
        if extra is not None:
            if not isinstance(extra, dict):
                raise TypeError(f"argument after ** must be a mapping, not {type(extra).__name__}")
            call.update(extra)
        call = json_copy(call, f"the arguments of step {name!r}")
        retry = spec["retry"]
        attempt, delay = 0, None
        while True:
            attempt += 1
            self.check_deadline()
            payload = {
                "args": call,
                "idempotency_key": idem,
                "attempt": attempt,
                "step": name,
                "delay": delay,
            }
            env = yield from self._attempt(spec, payload)
            sent = dict(call)
            if spec.get("wants_key") and "idempotency_key" not in sent:
                sent["idempotency_key"] = idem
            failure = env.get("error")
            self.trace(
                "attempt",
                step=name,
                args=sent,
                key=idem,
                attempt=attempt,
                error=None if failure is None else {"type": failure["type"], "message": failure["message"]},
            )
            if "result" in env:
                return env["result"]
            info = env["error"]
            mro = set(info["mro"])
            listed = set(retry.get("retry_on") or ())  # RetryPolicy(retry_on=...): only those are retried
            retryable = not env.get("fatal") and not mro & set(retry["non_retryable"])
            retryable = retryable and (not listed or bool(mro & listed))
            if retryable and attempt < retry["max_attempts"]:
                delay = float(
                    min(retry["initial_interval"] * retry["backoff"] ** (attempt - 1), retry["max_interval"])
                )
                delay = jittered(delay, retry.get("jitter"), idem, attempt)  # the local engine's formula
                self.trace("retry", key=idem, attempt=attempt, delay=delay)
                yield from self._wait(self._timer(delay))
                continue
            raise step_failure(name, info, attempt)

    def _attempt(self, spec: Mapping[str, Any], payload: dict[str, Any]) -> Gen:
        task = self.context.call_activity(spec["activity"], payload)
        timeout = spec.get("timeout")
        if timeout is None:
            return (yield from self._wait(task, bounded=False))
        if (yield from self._race(task, float(timeout), bounded=False)):
            return task.result
        message = f"step {spec['name']!r} timed out after {format_duration(float(timeout))}"
        self.trace("timeout", key=payload["idempotency_key"], attempt=payload["attempt"])
        return {"error": error_envelope(TimeoutError(message)), "fatal": False}

    # --------------------------------------------------------------------------------------- events
    def wait_for_event(
        self,
        scope: Scope,
        name: str,
        duration: Any,
        raise_on_timeout: bool = False,
        label: str | None = None,
    ) -> Gen:
        """The payload of the next event ``name`` (in the order events were raised, each once), or None
        once the timeout passed (EventTimeout with ``raise_on_timeout``); an event raised as a failure
        (``portaflow.dsl.events``) raises EventFailed. A labelled wait shows its label in the instance's
        custom status while it waits. The timeout may be computed at run time: read as locally."""
        timeout = None if duration is None else parse_duration(duration, what="ctx.wait_for_event timeout")
        if raise_on_timeout and timeout is None:
            raise WorkflowError("ctx.wait_for_event raise_on_timeout=True needs a timeout")
        if label is not None:
            self.context.set_custom_status({"waiting_for": name, "wait_label": label})
        data = yield from self._next_event(name, timeout)
        if label is not None:
            self.context.set_custom_status({"waiting_for": None, "wait_label": None})
        if data is _TIMED_OUT:
            if raise_on_timeout:
                raise EventTimeout(name, float(timeout or 0))
            return None
        payload, failure = event_outcome(data)
        if failure is not None:
            raise make_event_failed(name, failure["type"], failure["message"], None)
        return payload

    def _next_event(self, name: str, timeout: float | None) -> Gen:
        """The data of the next event ``name``, or ``_TIMED_OUT``.

        A run holds at most one SDK task per event name (its :class:`Inbox`), which every open wait for the
        name waits on: the SDK hands an event to its newest task of that name, portaflow to the wait at the
        lowest position (docs/semantics.md, "map and parallel"). When the task completes, a fan-out resumes
        its items in position order and the first to look takes the event; the others wait on for the
        next one. A wait that timed out leaves the task open: the event it takes is the next wait's."""
        self.check_deadline()
        inbox = self._inboxes.setdefault(name, Inbox())
        base: datetime = self.context.current_utc_datetime
        end = None if timeout is None else base + timedelta(seconds=max(float(timeout), 0.0))
        timer: Any = None
        while True:
            if inbox.task is not None and inbox.task.is_completed:
                data = inbox.task.result
                inbox.task = None
                if timer is not None and not timer.is_completed:
                    timer.cancel()
                return data
            if inbox.task is None:
                inbox.task = self.context.wait_for_external_event(name)
            if end is None:
                yield from self._first([inbox.task])
                continue
            if timer is None:
                timer = self._timer_until(end)
            winner = yield from self._first([inbox.task, timer])
            if winner is timer:
                if self.context.current_utc_datetime >= end:
                    return _TIMED_OUT
                timer = None  # a segment of a timeout more than six days away fired

    # ------------------------------------------------------------------------------ child workflows
    def child(self, scope: Scope, name: str, body: Callable[..., Any], args: dict[str, Any]) -> Gen:
        self.check_deadline()
        path = scope.next_path()
        copied = json_copy(args, f"the arguments of child workflow {name!r}")
        result = yield from _drive(body(Scope(self, f"{path}."), **copied))
        return json_copy(result, f"the result of child workflow {name!r}")

    def start_child(self, scope: Scope, orchestrator: str, args: dict[str, Any]) -> Gen:
        """``ctx.start_workflow(wf, ...).result()``: the sub-orchestration ``orchestrator`` with the child's
        run id as its instance id (docs/semantics.md, "Child runs"); its output, or the ChildFailed of its
        failure (an instance of the class its type names too, where the workflow's modules have one)."""
        self.check_deadline()
        path = scope.next_path()
        suffix = "-c" + path.replace(".", "-")
        child_id = self.run_id[: MAX_CHILD_ID - len(suffix)] + suffix
        copied = json_copy(args, f"the arguments of child workflow {orchestrator!r}")
        try:
            result = yield self.context.call_sub_orchestrator(orchestrator, copied, child_id)
        except Exception as exc:
            info = parse_run_error(str(exc)) or {"type": "Error", "message": str(exc)}
            cls = _known_class(info["type"], self.modules)
            raise make_child_failed(child_id, orchestrator, info["type"], info["message"], cls) from None
        return result

    # ------------------------------------------------------------------------------ map and parallel
    def map(
        self, scope: Scope, key: str, items: Any, max_concurrency: Any = None, failures: Failures = None
    ) -> Gen:
        path = scope.next_path()
        param = self.steps[key]["params"][0]

        def item(i: int, value: Any) -> Callable[[], Gen]:
            sub = Scope(self, f"{path}.")
            sub.n = i  # item i's key is path.i
            return lambda: self.step(sub, key, {param: value})

        calls = [item(i, v) for i, v in enumerate(list(items))]
        return (yield from self._fan_out(calls, max_concurrency, _policy(failures), "item"))

    def map_workflow(
        self,
        scope: Scope,
        name: str,
        body: Callable[..., Any],
        param: str,
        items: Any,
        max_concurrency: Any,
        failures: Failures = None,
    ) -> Gen:
        """``ctx.map(child, items)``: item i runs the child workflow at path.i (its calls under path.i.)."""
        path = scope.next_path()

        def item(i: int, value: Any) -> Callable[[], Gen]:
            sub = Scope(self, f"{path}.")
            sub.n = i  # item i is the child call at path.i
            return lambda: self.child(sub, name, body, {param: value})

        calls = [item(i, v) for i, v in enumerate(list(items))]
        return (yield from self._fan_out(calls, max_concurrency, _policy(failures), "item"))

    def parallel(
        self,
        scope: Scope,
        branches: list[Callable[[Scope], Any]],
        max_concurrency: Any = None,
        failures: Failures = None,
    ) -> Gen:
        path = scope.next_path()

        def branch(b: int) -> Callable[[], Gen]:
            def run() -> Gen:
                result = yield from _drive(branches[b](Scope(self, f"{path}.{b}.")))
                return json_copy(result, f"the result of ctx.parallel branch {b}")

            return run

        calls = [branch(b) for b in range(len(branches))]
        return (yield from self._fan_out(calls, max_concurrency, _policy(failures), "branch"))

    def _fan_out(
        self,
        calls: list[Callable[[], Gen]],
        max_concurrency: Any,
        policy: Tolerance = DEFAULT_TOLERANCE,
        noun: str = "item",
    ) -> Gen:
        """Run every call, at most ``max_concurrency`` at once, interleaved by a scheduler over ``task_any``
        (deterministic: which task completes first is the history's); results in order; once all have
        finished, failures as the local engine settles them (``portaflow.dsl.fanout``: by default the
        lowest-index one is raised)."""
        n = len(calls)
        limit = n if not max_concurrency else max(int(max_concurrency), 1)
        results: list[Any] = [None] * n
        errors: dict[int, BaseException] = {}
        running: dict[int, tuple[Gen, Any]] = {}
        started = 0

        def advance(i: int, gen: Gen, send: Any, throw: BaseException | None) -> None:
            self._depth += 1  # what the item yields comes here, not to the SDK
            try:
                task = gen.throw(throw) if throw is not None else gen.send(send)
            except StopIteration as stop:
                results[i] = stop.value
                running.pop(i, None)
            except Exception as exc:
                errors[i] = exc
                running.pop(i, None)
            else:
                running[i] = (gen, task)
            finally:
                self._depth -= 1

        while started < n or running:
            while started < n and len(running) < limit:
                gen = calls[started]()
                advance(started, gen, None, None)
                started += 1
            if not running:
                continue
            if not any(_done(awaited) for _, awaited in running.values()):
                pending: dict[int, Any] = {}
                for _, awaited in running.values():
                    for task in awaited.tasks if isinstance(awaited, AnyOf) else [awaited]:
                        pending.setdefault(id(task), task)
                yield from self._first(list(pending.values()), bounded=False)
            for i in sorted(running):  # position order: an event both wait for goes to the lower
                gen, awaited = running[i]
                if isinstance(awaited, AnyOf):
                    winner = awaited.winner()
                    if winner is not None:
                        advance(i, gen, winner, None)
                elif awaited.is_completed:
                    if awaited.state.name == "FAILED":
                        advance(i, gen, None, awaited.result)
                    else:
                        advance(i, gen, awaited.result, None)
        return policy.settle(results, errors, noun)


# a fan-out's failure policy as the generated code passes it: (return_exceptions, count, percentage)
Failures = tuple[bool, int | None, float | None] | None


def _policy(failures: Failures) -> Tolerance:
    return DEFAULT_TOLERANCE if failures is None else Tolerance(*failures)


def _drive(value: Any) -> Gen:
    """Run a branch or child body: a generator is driven, any other value is its result."""
    if isinstance(value, Generator):
        return (yield from value)
    return value


def event_error_data(body: Any) -> Any:
    """The data of a failure event from the error endpoint's body ``{"type": NAME, "message": TEXT}``, or
    ValueError saying what is wrong (as ``portaflow signal --error`` refuses it)."""
    if not isinstance(body, dict) or not isinstance(body.get("message", ""), str):
        raise ValueError('the body must be {"type": NAME, "message": TEXT}')
    try:
        return event_data(error=(body.get("type"), body.get("message", "")))  # type: ignore[arg-type]
    except PortaflowError as exc:
        raise ValueError(str(exc)) from None


def wait_label(custom_status: Any) -> str | None:
    """The label of the wait a running instance is in, from the custom status a labelled wait sets."""
    label = custom_status.get("wait_label") if isinstance(custom_status, dict) else None
    return label if isinstance(label, str) else None


def parse_run_error(output: Any) -> dict[str, str] | None:
    """A failed run's ``{"type", "message"}`` from the failure the host recorded (see :func:`run_error`)."""
    text = output if isinstance(output, str) else json.dumps(output)
    start = text.find('{"' + ERROR_MARK + '"')
    if start >= 0:
        try:
            info, _ = json.JSONDecoder().raw_decode(text, start)
        except ValueError:
            info = None
        if isinstance(info, dict):
            return {"type": str(info.get("type")), "message": str(info.get("message"))}
    return {"type": "Error", "message": text} if text else None
