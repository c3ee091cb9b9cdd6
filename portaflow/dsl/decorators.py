"""``@step`` and ``@workflow``: plain functions that become durable when run by an engine."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Generic, ParamSpec, TypeVar, overload

from portaflow.dsl.durations import Duration, parse_duration
from portaflow.dsl.retry import DEFAULT_RETRY, RetryPolicy
from portaflow.dsl.runtime import current_scope
from portaflow.dsl.schedule import Schedule

P = ParamSpec("P")
R = TypeVar("R")

IDEMPOTENCY_PARAM = "idempotency_key"


class Step(Generic[P, R]):
    """A unit of work whose result is recorded once and never re-executed after that."""

    def __init__(
        self, fn: Callable[P, R], *, name: str | None, retry: RetryPolicy | None, timeout: Duration | None
    ) -> None:
        if not callable(fn) or inspect.iscoroutinefunction(fn):
            raise TypeError(f"@step needs a plain (sync) function, got {fn!r}")
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.name = name or fn.__name__
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise TypeError(f"@step(retry=...) of {self.name!r} must be a RetryPolicy, not {retry!r}")
        self.retry = retry or DEFAULT_RETRY
        self.timeout = (
            None if timeout is None else parse_duration(timeout, what=f"timeout of step {self.name!r}")
        )
        self.signature = inspect.signature(fn)
        self.takes_idempotency_key = IDEMPOTENCY_PARAM in self.signature.parameters
        positional = [
            p.name
            for p in self.signature.parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        # how many positional arguments a caller must pass to have supplied the key itself
        self.key_position = positional.index(IDEMPOTENCY_PARAM) if IDEMPOTENCY_PARAM in positional else None

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        scope = current_scope()
        if scope is None:
            return self.fn(*args, **kwargs)
        result: R = scope.call_step(self, args, kwargs)
        return result

    def __repr__(self) -> str:
        return f"<step {self.name}>"


class Workflow(Generic[P, R]):
    """A deterministic orchestration function; its first parameter is the run's ``Context``."""

    def __init__(
        self,
        fn: Callable[P, R],
        *,
        name: str | None,
        timeout: Duration | None = None,
        schedule: str | None = None,
        timezone: str | None = None,
    ) -> None:
        if not callable(fn) or inspect.iscoroutinefunction(fn):
            raise TypeError(f"@workflow needs a plain (sync) function, got {fn!r}")
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.name = name or fn.__name__
        # the execution timeout of each run started from this workflow: it fails once that has passed
        self.timeout = (
            None if timeout is None else parse_duration(timeout, what=f"timeout of workflow {self.name!r}")
        )
        if self.timeout == 0:
            raise ValueError(f"timeout of workflow {self.name!r} must be longer than 0s")
        self.signature = inspect.signature(fn)
        params = list(self.signature.parameters.values())
        if not params or params[0].kind not in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
            raise TypeError(f"workflow {self.name!r} must take the Context as its first parameter")
        first = params[0].annotation
        if first is not params[0].empty and "Context" not in getattr(first, "__name__", str(first)):
            raise TypeError(
                f"workflow {self.name!r}: its first parameter {params[0].name!r} is the run's Context, "
                f"but it is annotated {getattr(first, '__name__', first)!s}; write "
                f"def {fn.__name__}(ctx: Context, {params[0].name}: ...)"
            )
        self.input_params = params[1:]
        # started by `portaflow worker` at each tick of this cron schedule (docs/cli.md, "Schedules")
        self.schedule: Schedule | None = None
        if schedule is not None:
            self.schedule = Schedule.parse(schedule, timezone, f"workflow {self.name!r}")
            needed = [p.name for p in self.input_params if p.default is p.empty]
            if needed:
                raise TypeError(
                    f"workflow {self.name!r} has a schedule, so it is started with no input: give its "
                    f"parameters {', '.join(needed)} default values"
                )
        elif timezone is not None:
            raise TypeError(f"workflow {self.name!r}: timezone= is the time zone of a schedule=; add one")

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        scope = current_scope()
        if scope is None:
            return self.fn(*args, **kwargs)
        result: R = scope.call_child(self, args, kwargs)
        return result

    def __repr__(self) -> str:
        return f"<workflow {self.name}>"


@overload
def step(fn: Callable[P, R], /) -> Step[P, R]: ...
@overload
def step(
    *, name: str | None = None, retry: RetryPolicy | None = None, timeout: Duration | None = None
) -> Callable[[Callable[P, R]], Step[P, R]]: ...
def step(
    fn: Callable[P, R] | None = None,
    /,
    *,
    name: str | None = None,
    retry: RetryPolicy | None = None,
    timeout: Duration | None = None,
) -> Step[P, R] | Callable[[Callable[P, R]], Step[P, R]]:
    """Declare a durable step: ``@step`` or ``@step(retry=RetryPolicy(...), timeout="30s")``."""
    if fn is not None:
        return Step(fn, name=None, retry=None, timeout=None)

    def wrap(f: Callable[P, R]) -> Step[P, R]:
        return Step(f, name=name, retry=retry, timeout=timeout)

    return wrap


@overload
def workflow(fn: Callable[P, R], /) -> Workflow[P, R]: ...
@overload
def workflow(
    *,
    name: str | None = None,
    timeout: Duration | None = None,
    schedule: str | None = None,
    timezone: str | None = None,
) -> Callable[[Callable[P, R]], Workflow[P, R]]: ...
def workflow(
    fn: Callable[P, R] | None = None,
    /,
    *,
    name: str | None = None,
    timeout: Duration | None = None,
    schedule: str | None = None,
    timezone: str | None = None,
) -> Workflow[P, R] | Callable[[Callable[P, R]], Workflow[P, R]]:
    """Declare a workflow: ``@workflow`` or ``@workflow(name="report", timeout="7d", schedule=...)``.

    ``timeout`` is each run's execution timeout: past it the run fails with ``WorkflowTimeout``.
    ``schedule`` (cron, read in ``timezone``, default UTC) has ``portaflow worker`` start a run per tick.
    """
    if fn is not None:
        return Workflow(fn, name=None)

    def wrap(f: Callable[P, R]) -> Workflow[P, R]:
        return Workflow(f, name=name, timeout=timeout, schedule=schedule, timezone=timezone)

    return wrap
