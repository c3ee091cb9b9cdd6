"""A run's scopes (the workflow, a child workflow, a parallel branch): how their durable calls are numbered,
and the JSON form every recorded value takes. The executor records; a scope only numbers and forwards."""

from __future__ import annotations

import json
import random as _random
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from portaflow.dsl.decorators import Step, Workflow
from portaflow.dsl.errors import WorkflowError
from portaflow.dsl.fanout import DEFAULT, Tolerance
from portaflow.dsl.runtime import Wait

NO_OPTIONS = Wait()

if TYPE_CHECKING:
    from portaflow.dsl.context import ChildRun
    from portaflow.local_engine.executor import Executor

SCALARS = (str, int, float, bool)
ENCODER = json.JSONEncoder(allow_nan=False, separators=(",", ":"), ensure_ascii=False)
dumps = ENCODER.encode


def json_value(value: Any, what: str) -> tuple[Any, str]:
    """The JSON form of ``value`` (decoded and encoded), or a WorkflowError naming ``what``."""
    try:
        text = dumps(value)
    except (TypeError, ValueError) as exc:
        raise WorkflowError(
            f"{what} must be a JSON value (dict, list, str, number, bool, None): {exc}"
        ) from None
    if value is None or type(value) in SCALARS:
        return value, text  # already its own JSON form: decoding would give it back unchanged
    return json.loads(text), text


class RunScope:
    """Numbering of durable calls within the workflow, a child workflow, or one parallel branch."""

    def __init__(self, ex: Executor, prefix: str, can_park: bool) -> None:
        self.ex = ex
        self.run_id = ex.run_id
        self.prefix = prefix
        # the workflow's own thread (or a child it runs inline), not a ctx.map/ctx.parallel branch's: only
        # there may ctx.patched() be asked, and a worker's shutdown stop the run at once
        self.can_park = can_park
        self.step_n = 0
        self.prim_n = 0
        self.logs_here = (0, -1)  # (step position, the number of its last log line): numbers lines there

    def next_path(self) -> str:
        path = f"{self.prefix}{self.step_n}"
        self.step_n += 1
        return path

    def next_prim(self, what: str) -> str:
        """The key of the scope's next context call (``{prefix}pK``): numbered per scope, so the order
        in which branch threads interleave never changes a key."""
        key = f"{self.prefix}p{self.prim_n}"
        self.prim_n += 1
        return key

    # the Scope protocol --------------------------------------------------------------------------
    def call_step(self, step: Step[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return self.ex.run_step(self, step, self.next_path(), args, kwargs)

    def call_child(self, wf: Workflow[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return self.ex.run_child(self, wf, args, kwargs)

    def start_workflow(
        self, wf: Workflow[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> ChildRun:
        return self.ex.start_child(self, wf, args, kwargs)

    def child_result(self, handle: ChildRun) -> Any:
        return self.ex.child_result(self, handle)

    def idempotency_key(self) -> str:
        return f"{self.run_id}:{self.prefix}{self.step_n}"

    def patched(self, change_id: str) -> bool:
        return self.ex.patched(self, change_id)

    def log(self, message: str, fields: dict[str, Any]) -> None:
        at, n = self.logs_here
        n = n + 1 if at == self.step_n else 0
        self.logs_here = (self.step_n, n)
        self.ex.write_log(f"{self.prefix}{self.step_n}", n, message, fields)

    def now(self) -> datetime:
        stamp = self.ex.record_value(self, "now", lambda: self.ex.clock.now())
        return datetime.fromtimestamp(float(stamp), UTC)

    def uuid4(self) -> uuid.UUID:
        return uuid.UUID(str(self.ex.record_value(self, "uuid4", lambda: str(uuid.uuid4()))))

    def random(self) -> float:
        return float(self.ex.record_value(self, "random", _random.random))

    def sleep(self, seconds: float) -> None:
        self.ex.sleep(self, seconds)

    def wait_for_event(self, name: str, timeout: float | None, wait: Wait = NO_OPTIONS) -> Any:
        return self.ex.wait_for_event(self, name, timeout, wait)

    def map(
        self,
        fn: Step[..., Any] | Workflow[..., Any],
        items: Sequence[Any],
        max_concurrency: int | None,
        policy: Tolerance = DEFAULT,
    ) -> list[Any]:
        return self.ex.run_map(self, fn, items, max_concurrency, policy)

    def parallel(
        self, branches: Sequence[Callable[[], Any]], max_concurrency: int | None, policy: Tolerance = DEFAULT
    ) -> list[Any]:
        return self.ex.run_parallel(self, branches, max_concurrency, policy)
