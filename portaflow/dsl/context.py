"""``Context``: the workflow's only door to time, randomness, timers, events and concurrency.

Every method is recorded by the engine, so a replay sees the values the first execution saw.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from portaflow.dsl.decorators import Step, Workflow
from portaflow.dsl.durations import Duration, parse_duration
from portaflow.dsl.errors import WorkflowError
from portaflow.dsl.fanout import DEFAULT, tolerance
from portaflow.dsl.runtime import Scope, Wait, current_scope

T = TypeVar("T")


class Context:
    """Passed as the first argument of every workflow function."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id

    def _scope(self, what: str) -> Scope:
        scope = current_scope()
        if scope is None or scope.run_id != self.run_id:
            raise WorkflowError(f"ctx.{what}() can only be called by the workflow run {self.run_id} itself")
        return scope

    def now(self) -> datetime:
        """The current time (aware, UTC), recorded so replay sees the same instant."""
        return self._scope("now").now()

    def uuid4(self) -> uuid.UUID:
        """A random ``uuid.UUID``, recorded (use ``str(ctx.uuid4())`` to pass it to a step)."""
        return self._scope("uuid4").uuid4()

    def random(self) -> float:
        """A random float in [0, 1), recorded."""
        return self._scope("random").random()

    def sleep(self, duration: Duration) -> None:
        """A durable timer: survives restarts and fires once."""
        seconds = parse_duration(duration, what="ctx.sleep duration")
        self._scope("sleep").sleep(seconds)

    def wait_for_event(
        self,
        name: str,
        timeout: Duration | None = None,
        *,
        raise_on_timeout: bool = False,
        label: str | None = None,
    ) -> Any:
        """Wait durably for the event ``name``; its payload, or None once ``timeout`` passes.

        ``raise_on_timeout=True`` raises :class:`EventTimeout` instead of returning None, so a timeout is
        told apart from an event whose payload is null. ``label`` names the wait for people: status, history
        and ``portaflow list`` show it next to the event name. An event delivered as a failure (``portaflow
        signal RUN EVENT --error TYPE:MESSAGE``) raises :class:`EventFailed` here.
        """
        if not isinstance(name, str) or not name:
            raise WorkflowError(f"ctx.wait_for_event needs an event name (a non-empty string), not {name!r}")
        if label is not None and (not isinstance(label, str) or not label):
            raise WorkflowError(f"ctx.wait_for_event label must be a non-empty string, not {label!r}")
        if not isinstance(raise_on_timeout, bool):
            raise WorkflowError(
                f"ctx.wait_for_event raise_on_timeout must be True or False, not {raise_on_timeout!r}"
            )
        seconds = None if timeout is None else parse_duration(timeout, what="ctx.wait_for_event timeout")
        if raise_on_timeout and seconds is None:
            raise WorkflowError("ctx.wait_for_event raise_on_timeout=True needs a timeout")
        return self._scope("wait_for_event").wait_for_event(name, seconds, Wait(raise_on_timeout, label))

    def map(
        self,
        fn: Step[..., T] | Workflow[..., T],
        items: Sequence[Any],
        max_concurrency: int | None = None,
        *,
        return_exceptions: bool = False,
        tolerated_failures: int | None = None,
        tolerated_failure_percentage: float | None = None,
    ) -> list[Any]:
        """Run ``fn`` for every item in parallel, at most ``max_concurrency`` at once; results in item
        order. ``fn`` is a step (called as ``fn(item)``) or a workflow (a child run inline for each item,
        called as ``fn(ctx, item)``: it may sleep, wait for events and fan out again).

        Every item is attempted; by default the lowest-index failure is then raised.
        ``return_exceptions=True`` puts each failed item's exception in its place instead (as
        ``asyncio.gather``); ``tolerated_failures=N`` / ``tolerated_failure_percentage=P`` do too while at
        most N items (P percent) failed, and raise :class:`TooManyFailures` beyond.
        """
        if not isinstance(fn, Step | Workflow):
            raise WorkflowError(f"ctx.map needs a @step or @workflow function, not {fn!r}")
        _check_concurrency("ctx.map", max_concurrency)
        policy = tolerance("ctx.map", return_exceptions, tolerated_failures, tolerated_failure_percentage)
        scope = self._scope("map")
        if policy == DEFAULT:  # the engine's original call, for scopes that know no policy
            return scope.map(fn, list(items), max_concurrency)
        return scope.map(fn, list(items), max_concurrency, policy)

    def parallel(
        self,
        *branches: Callable[[], Any],
        max_concurrency: int | None = None,
        return_exceptions: bool = False,
        tolerated_failures: int | None = None,
        tolerated_failure_percentage: float | None = None,
    ) -> list[Any]:
        """Run branches (zero-argument callables: they may call steps and child workflows, sleep, wait for
        events and fan out again) in parallel, at most ``max_concurrency`` at once; results in branch
        order. Failures as for :meth:`map` (a failed branch's place holds the exception it raised)."""
        for branch in branches:
            if not callable(branch):
                raise WorkflowError(f"ctx.parallel branches must be callables (e.g. lambdas), not {branch!r}")
        _check_concurrency("ctx.parallel", max_concurrency)
        policy = tolerance(
            "ctx.parallel", return_exceptions, tolerated_failures, tolerated_failure_percentage
        )
        scope = self._scope("parallel")
        if policy == DEFAULT:
            return scope.parallel(list(branches), max_concurrency)
        return scope.parallel(list(branches), max_concurrency, policy)

    def start_workflow(self, wf: Workflow[..., Any], /, *args: Any, **kwargs: Any) -> ChildRun:
        """Start ``wf(ctx, *args, **kwargs)`` as a run of its own (its own run id, history and status);
        a handle whose ``.result()`` waits for it durably. Not waiting is fire-and-forget: the child is an
        independent run and outlives this one (docs/semantics.md, "Child runs").

        The child's run id is ``f"{ctx.run_id}-c{path}"`` (the call's position, dots as ``-``), so a
        replay, a retry or a crash never starts a second child.
        """
        if not isinstance(wf, Workflow):
            raise WorkflowError(f"ctx.start_workflow needs a @workflow function, not {wf!r}")
        if args and isinstance(args[0], Context):
            args = args[1:]  # start_workflow(child, ctx, ...) mirrors the child's signature
        return self._scope("start_workflow").start_workflow(wf, args, kwargs)

    def patched(self, change_id: str) -> bool:
        """Whether this run takes the new code of the change ``change_id`` (Temporal's ``patched``).

        True in runs that reach this call after the change was deployed (a marker is recorded); False in
        runs whose history went past this point before it, so they replay the old code::

            if ctx.patched("gift-after-welcome"):
                send_gift(user)
        """
        if not isinstance(change_id, str) or not change_id:
            raise WorkflowError(f"ctx.patched needs a change id (a non-empty string), not {change_id!r}")
        return self._scope("patched").patched(change_id)

    def log(self, message: object, /, **fields: Any) -> None:
        """Write ``str(message)`` to the run's history and to Python's logger ``portaflow.workflow``, once:
        never again when the run replays (after a restart or a crash) nor in a part of the run replayed
        from before the line was added. Tagged with the run id and the step position (the path of the next
        step call); ``fields`` are JSON values kept with it. It takes no position: adding or removing a log
        line moves no step's idempotency key, and replay never reports it as a divergence::

            ctx.log(f"charging {order_id}", amount=amount)
        """
        self._scope("log").log(str(message), fields)

    def idempotency_key(self) -> str:
        """The idempotency key the next step call of this workflow (or branch) will get."""
        return self._scope("idempotency_key").idempotency_key()

    def __repr__(self) -> str:
        return f"Context(run_id={self.run_id!r})"


class ChildRun:
    """A child run started by ``ctx.start_workflow``: its ``run_id`` and, durably, its ``result()``."""

    def __init__(self, ctx: Context, run_id: str, workflow: str, path: str) -> None:
        self._ctx = ctx
        self.run_id = run_id
        self.workflow = workflow
        self.path = path  # the position of the start_workflow call in the parent

    def result(self) -> Any:
        """Wait (durably) for the child to end: its output, or :class:`ChildFailed` carrying the child's
        error type and message (an instance of the child's error class where it resolves)."""
        return self._ctx._scope("start_workflow(...).result").child_result(self)

    def __repr__(self) -> str:
        return f"ChildRun(run_id={self.run_id!r}, workflow={self.workflow!r})"


def _check_concurrency(what: str, max_concurrency: object) -> None:
    if max_concurrency is not None and (
        isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int) or max_concurrency < 1
    ):
        raise WorkflowError(f"{what} max_concurrency must be a positive integer, not {max_concurrency!r}")
