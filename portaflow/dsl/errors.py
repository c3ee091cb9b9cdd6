"""Exceptions users see.

``StepFailed`` is what a workflow catches when a step's retries are exhausted. Because the original
exception object is gone after a crash (only its class name and message are recorded), the engine raises
an instance of a class that derives from both ``StepFailed`` and the step's original exception class, so
``except StepFailed`` and ``except OriginalError`` both catch it, on the first run and on replay alike.
"""

from __future__ import annotations

import sys
from typing import Any


class PortaflowError(Exception):
    """An error a user caused (bad input, unknown run, misuse); the CLI prints it as one line."""


class WorkflowError(PortaflowError):
    """A workflow used the DSL wrongly (a primitive in the wrong place, a non-JSON value...)."""


class NonDeterminismError(PortaflowError):
    """Replayed workflow code asked for something other than what the history recorded at that point."""


class RunNotFound(PortaflowError):
    """No run with that id in this database."""


class NotWaiting(PortaflowError):
    """``Engine.deliver(..., only_if_waiting=True)``: the run no longer waits for that event (it was
    answered already, timed out, or the run moved on), so nothing was recorded."""


class WorkflowFailed(PortaflowError):
    """Raised by ``RunHandle.result()`` when the run failed: carries the error's type name and message."""

    def __init__(self, run_id: str, error_type: str, message: str) -> None:
        super().__init__(f"run {run_id} failed: {error_type}: {message}")
        self.run_id = run_id
        self.type = error_type
        self.message = message


class WorkflowTimeout(WorkflowFailed):
    """The run passed its execution timeout, ``@workflow(timeout="7d")``: raised by ``result()``.

    The run's recorded error has this type (``"WorkflowTimeout"``) and a message naming the limit. The
    workflow's own code cannot catch it: the run stops at its next durable call past the deadline.
    """


class StepFailed(Exception):
    """A step failed for good (retries exhausted or a non-retryable error).

    ``type`` is the original exception's class name, ``message`` its ``str()``; ``step`` is the step's
    name and ``attempts`` how many attempts were made. ``traceback`` is the last attempt's traceback as
    recorded (the step's own frames, bounded) and ``site`` the workflow's file:line that called the step,
    when the engine knows them (None in runs recorded before they were).
    """

    type: str
    message: str
    step: str
    attempts: int
    traceback: str | None = None
    site: str | None = None

    def __init__(self, step: str, type: str, message: str, attempts: int = 1) -> None:
        super().__init__(message)
        self._set(step, type, message, attempts)

    def _set(self, step: str, type: str, message: str, attempts: int) -> None:
        self.step, self.type, self.message, self.attempts = step, type, message, attempts

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"StepFailed(step={self.step!r}, type={self.type!r}, message={self.message!r})"


_SUBCLASSES: dict[type[BaseException], type[StepFailed]] = {}


def resolve_exception_class(module: str | None, qualname: str) -> type[BaseException] | None:
    """Find an exception class by module and qualified name among already-imported modules."""
    mod = sys.modules.get(module or "builtins")
    obj: Any = mod
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    if isinstance(obj, type) and issubclass(obj, BaseException):
        return obj
    return None


def make_step_failed(
    step: str, type_name: str, message: str, attempts: int, original: type[BaseException] | None
) -> StepFailed:
    """Build the exception a workflow sees for a failed step (see the module docstring)."""
    if original is None or not issubclass(original, Exception) or issubclass(original, StepFailed):
        return StepFailed(step, type_name, message, attempts)
    cls = _SUBCLASSES.get(original)
    if cls is None:
        try:
            cls = type(original.__name__, (StepFailed, original), {"__module__": original.__module__})
        except TypeError:  # incompatible instance layouts: fall back to the plain class
            return StepFailed(step, type_name, message, attempts)
        _SUBCLASSES[original] = cls
    exc = cls.__new__(cls, message)
    exc.args = (message,)
    exc._set(step, type_name, message, attempts)
    return exc


class TooManyFailures(Exception):
    """A ``ctx.map`` or ``ctx.parallel`` with ``tolerated_failures`` / ``tolerated_failure_percentage`` had
    more failed items than it tolerates (raised once every item finished).

    ``failed`` and ``total`` count the items (branches), ``first`` is the lowest failed index and
    ``first_error`` the exception that item raised; the message is one line, e.g.
    ``3 of 10 items failed (tolerated: 1); first: item 2: ValueError: bad input``.
    """

    def __init__(
        self, noun: str, failed: int, total: int, tolerated: str, first: int, first_error: BaseException
    ) -> None:
        plural = {"item": "items", "branch": "branches"}.get(noun, noun + "s")
        kind = first_error.type if isinstance(first_error, StepFailed) else type(first_error).__name__
        super().__init__(
            f"{failed} of {total} {plural} failed (tolerated: {tolerated}); "
            f"first: {noun} {first}: {kind}: {first_error}"
        )
        self.failed, self.total, self.first, self.first_error = failed, total, first, first_error

    def __str__(self) -> str:
        return str(self.args[0])


class EventFailed(Exception):
    """An event was delivered as a failure (``portaflow signal RUN EVENT --error TYPE:MESSAGE``).

    ``event`` is the event's name, ``type`` the failure's type name and ``message`` its text (``str(e)``).
    When ``type`` names an exception class the compiler also sees (a built-in one, or a class of the
    workflow's module or of a project module it imports), the workflow gets an instance of both
    ``EventFailed`` and that class, so ``except Rejected:`` and ``except EventFailed:`` both catch it.
    """

    event: str
    type: str
    message: str

    def __init__(self, event: str, type: str, message: str) -> None:
        super().__init__(message)
        self._set(event, type, message)

    def _set(self, event: str, type: str, message: str) -> None:
        self.event, self.type, self.message = event, type, message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"EventFailed(event={self.event!r}, type={self.type!r}, message={self.message!r})"


class EventTimeout(TimeoutError):
    """``ctx.wait_for_event(name, timeout=..., raise_on_timeout=True)`` saw no event in time.

    ``event`` is the event's name and ``timeout`` the seconds waited; the message is
    ``event 'approval' did not arrive within 3d``. Without ``raise_on_timeout`` the wait returns None.
    """

    def __init__(self, event: str, timeout: float) -> None:
        from portaflow.dsl.durations import format_duration

        super().__init__(f"event {event!r} did not arrive within {format_duration(timeout)}")
        self.event, self.timeout = event, timeout

    def __str__(self) -> str:
        return str(self.args[0])


class ChildFailed(Exception):
    """A child run started with ``ctx.start_workflow`` failed (or was cancelled): raised by its
    ``.result()``.

    ``run_id`` is the child's run id, ``workflow`` its workflow's name, ``type`` the child's error type
    (``"Cancelled"`` for a cancelled child) and ``message`` its message (``str(e)``). When ``type`` names an
    exception class the compiler sees (a built-in one, or a class of the parent's module or of a project
    module it imports), the parent gets an instance of both ``ChildFailed`` and that class, so
    ``except Declined:`` and ``except ChildFailed:`` both catch it.
    """

    run_id: str
    workflow: str
    type: str
    message: str

    def __init__(self, run_id: str, workflow: str, type: str, message: str) -> None:
        super().__init__(message)
        self._set(run_id, workflow, type, message)

    def _set(self, run_id: str, workflow: str, type: str, message: str) -> None:
        self.run_id, self.workflow, self.type, self.message = run_id, workflow, type, message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"ChildFailed(run_id={self.run_id!r}, type={self.type!r}, message={self.message!r})"


_CHILD_CLASSES: dict[tuple[str, type[BaseException] | None], type[ChildFailed]] = {}


def make_child_failed(
    run_id: str, workflow: str, type_name: str, message: str, cls: type[BaseException] | None
) -> ChildFailed:
    """The exception ``ChildRun.result()`` raises for a failed child: a class named ``type_name`` deriving
    from ``ChildFailed`` and from ``cls`` (what the name resolved to; None: from ChildFailed alone)."""
    if cls is not None and (
        issubclass(cls, ChildFailed | EventFailed | StepFailed) or cls.__name__ != type_name
    ):
        cls = None
    sub = _CHILD_CLASSES.get((type_name, cls))
    if sub is None:
        bases: tuple[type[BaseException], ...] = (ChildFailed,) if cls is None else (ChildFailed, cls)
        module = __name__ if cls is None else cls.__module__
        name = type_name if type_name.isidentifier() else "ChildFailed"
        try:
            sub = type(name, bases, {"__module__": module})
        except TypeError:  # incompatible instance layouts: ChildFailed alone
            sub = type(name, (ChildFailed,), {"__module__": __name__})
        _CHILD_CLASSES[(type_name, cls)] = sub
    exc = sub.__new__(sub, message)
    exc.args = (message,)
    exc._set(run_id, workflow, type_name, message)
    return exc


#: names a failure event may not take: portaflow's own exceptions mean something else to a workflow
RESERVED_ERROR_TYPES = frozenset(
    {
        "ChildFailed",
        "EventFailed",
        "EventTimeout",
        "StepFailed",
        "TooManyFailures",
        "WorkflowError",
        "WorkflowFailed",
        "WorkflowTimeout",
        "PortaflowError",
        "NonDeterminismError",
        "RunNotFound",
    }
)


def check_error_type(type_name: object) -> str:
    """``type_name`` if a failure event may carry it (a Python identifier, not one of portaflow's own
    exception names), else ``PortaflowError`` saying what to write."""
    if not isinstance(type_name, str) or not type_name.isidentifier():
        raise PortaflowError(
            f"an event's error type must be a Python class name such as Rejected, not {type_name!r}"
        )
    if type_name in RESERVED_ERROR_TYPES:
        raise PortaflowError(
            f"an event's error type cannot be portaflow's own {type_name}: name the reason, e.g. Rejected"
        )
    return type_name


_EVENT_CLASSES: dict[tuple[str, type[BaseException] | None], type[EventFailed]] = {}


def make_event_failed(
    event: str, type_name: str, message: str, cls: type[BaseException] | None
) -> EventFailed:
    """The exception a workflow sees for a failure event: a class named ``type_name`` deriving from
    ``EventFailed`` and from ``cls`` (the class the name resolved to; None: from EventFailed alone), so
    ``type(e).__name__`` is the type the sender gave, as on every target."""
    if cls is not None and (issubclass(cls, EventFailed | StepFailed) or cls.__name__ != type_name):
        cls = None
    sub = _EVENT_CLASSES.get((type_name, cls))
    if sub is None:
        bases: tuple[type[BaseException], ...] = (EventFailed,) if cls is None else (EventFailed, cls)
        module = __name__ if cls is None else cls.__module__
        try:
            sub = type(type_name, bases, {"__module__": module})
        except TypeError:  # incompatible instance layouts: EventFailed alone
            sub = type(type_name, (EventFailed,), {"__module__": __name__})
        _EVENT_CLASSES[(type_name, cls)] = sub
    exc = sub.__new__(sub, message)
    exc.args = (message,)
    exc._set(event, type_name, message)
    return exc


def error_info(exc: BaseException) -> dict[str, str]:
    """The recorded form of an exception: class name, defining module, qualified name, message."""
    if isinstance(exc, StepFailed | EventFailed | ChildFailed):
        return {"type": exc.type, "message": exc.message}
    cls = type(exc)
    return {"type": cls.__name__, "module": cls.__module__, "qualname": cls.__qualname__, "message": str(exc)}
