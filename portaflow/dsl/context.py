"""``Context``: the workflow's only door to time, randomness, timers, events and concurrency.

Every method is recorded by the engine, so a replay sees the values the first execution saw.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from portaflow.dsl.decorators import Step
from portaflow.dsl.durations import Duration, parse_duration
from portaflow.dsl.errors import WorkflowError
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

    def map(self, fn: Step[..., T], items: Sequence[Any], max_concurrency: int | None = None) -> list[T]:
        """Run the step ``fn(item)`` for every item in parallel; results in item order."""
        if not isinstance(fn, Step):
            raise WorkflowError(f"ctx.map needs a @step function, not {fn!r}")
        _check_concurrency("ctx.map", max_concurrency)
        return self._scope("map").map(fn, list(items), max_concurrency)

    def parallel(self, *branches: Callable[[], Any], max_concurrency: int | None = None) -> list[Any]:
        """Run branches (zero-argument callables that call steps) in parallel, at most ``max_concurrency``
        at once; results in branch order."""
        for branch in branches:
            if not callable(branch):
                raise WorkflowError(f"ctx.parallel branches must be callables (e.g. lambdas), not {branch!r}")
        _check_concurrency("ctx.parallel", max_concurrency)
        return self._scope("parallel").parallel(list(branches), max_concurrency)

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


def _check_concurrency(what: str, max_concurrency: object) -> None:
    if max_concurrency is not None and (
        isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int) or max_concurrency < 1
    ):
        raise WorkflowError(f"{what} max_concurrency must be a positive integer, not {max_concurrency!r}")
