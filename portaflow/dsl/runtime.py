"""The seam between the DSL and whatever engine runs it.

A step or context call looks up the *scope* bound to the current thread: the local engine binds one while
it executes a workflow (and one per parallel branch). Outside any scope a step is a plain function call.
Compilers never get here: they read the source instead.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from portaflow.dsl.context import ChildRun
    from portaflow.dsl.decorators import Step, Workflow
    from portaflow.dsl.fanout import Tolerance


@dataclass(frozen=True)
class Wait:
    """How a ``wait_for_event`` behaves beyond its event and timeout (``Context.wait_for_event``)."""

    raise_on_timeout: bool = False
    label: str | None = None


class Scope(Protocol):
    """What a running workflow (or one branch of it) can ask of its engine."""

    run_id: str

    def call_step(self, step: Step[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any: ...
    def call_child(self, wf: Workflow[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any: ...
    def start_workflow(
        self, wf: Workflow[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> ChildRun: ...
    def child_result(self, handle: ChildRun) -> Any: ...
    def idempotency_key(self) -> str: ...
    def log(self, message: str, fields: dict[str, Any]) -> None: ...
    def patched(self, change_id: str) -> bool: ...
    def now(self) -> datetime: ...
    def uuid4(self) -> uuid.UUID: ...
    def random(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...
    def wait_for_event(self, name: str, timeout: float | None, wait: Wait = ...) -> Any: ...
    def map(
        self,
        fn: Step[..., Any] | Workflow[..., Any],
        items: Sequence[Any],
        max_concurrency: int | None,
        policy: Tolerance = ...,
    ) -> list[Any]: ...
    def parallel(
        self, branches: Sequence[Callable[[], Any]], max_concurrency: int | None, policy: Tolerance = ...
    ) -> list[Any]: ...


_local = threading.local()


def current_scope() -> Scope | None:
    return getattr(_local, "scope", None)


def set_scope(scope: Scope | None) -> Scope | None:
    """Bind ``scope`` to this thread; returns the previous one so callers can restore it."""
    previous = current_scope()
    _local.scope = scope
    return previous
