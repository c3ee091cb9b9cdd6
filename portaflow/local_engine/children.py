"""``ctx.start_workflow``: a child workflow started as a run of its own, and ``ChildRun.result()``.

The child's run id is derived from the parent's and the call's position (:func:`child_run_id`). Starting
is one commit (``Store.start_child``): the child's run and the parent's ``child_started`` record, so a
crash leaves both or neither, and a replay finds the record and starts nothing. ``result()`` waits for the
``~child:<id>`` signal the child's end buffers for the parent (``childlinks``), the way ``wait_for_event``
waits for an event, and records the outcome (``child_completed`` / ``child_failed``) once.
"""

from __future__ import annotations

import inspect
import json
import sqlite3
from typing import TYPE_CHECKING, Any

from portaflow.dsl.context import ChildRun
from portaflow.dsl.decorators import Workflow
from portaflow.dsl.errors import WorkflowError, make_child_failed
from portaflow.local_engine import eventerrors
from portaflow.local_engine.childlinks import CHILD_EVENT
from portaflow.local_engine.loader import workflow_ref
from portaflow.local_engine.scope import RunScope, dumps, json_value
from portaflow.local_engine.store import CancelRequested, LeaseLost

if TYPE_CHECKING:
    from portaflow.local_engine.executor import Executor

#: the longest child run id: Cloudflare's instance ids (AWS execution names and local run ids allow 80)
MAX_CHILD_ID = 64


def child_run_id(parent: str, path: str) -> str:
    """``f"{parent}-c{path}"`` with the path's dots as ``-`` (``order-7-c2``, ``order-7-c1-0`` inside an
    inlined child workflow), the parent's id cut from its end to keep the whole within 64 characters."""
    suffix = "-c" + path.replace(".", "-")
    if len(suffix) >= MAX_CHILD_ID:
        raise WorkflowError(f"ctx.start_workflow at position {path} is nested too deeply for a run id")
    return parent[: MAX_CHILD_ID - len(suffix)] + suffix


def bind_arguments(wf: Workflow[..., Any], args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The child run's input object: its arguments by parameter name (a run's input, docs/semantics.md)."""
    try:
        bound = inspect.signature(wf.fn).bind(None, *args, **kwargs)
    except TypeError as exc:
        raise WorkflowError(f"ctx.start_workflow({wf.name}, ...): {exc}") from None
    names = list(inspect.signature(wf.fn).parameters.values())
    data: dict[str, Any] = {}
    for param in names[1:]:
        if param.name not in bound.arguments:
            continue
        value = bound.arguments[param.name]
        if param.kind is param.VAR_POSITIONAL:
            if value:
                raise WorkflowError(
                    f"ctx.start_workflow({wf.name}, ...): *{param.name} cannot be a run's input"
                )
        elif param.kind is param.VAR_KEYWORD:
            data.update(value)
        else:
            data[param.name] = value
    return data


def start_child(
    ex: Executor, scope: RunScope, wf: Workflow[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> ChildRun:
    if not scope.can_park:
        raise WorkflowError(
            "ctx.start_workflow() cannot be used inside a ctx.parallel or ctx.map branch: start the child "
            "before the parallel part"
        )
    (args_list, kwargs), _ = json_value([list(args), kwargs], f"the arguments of child workflow {wf.name!r}")
    path = scope.next_path()
    name = f"run:{wf.name}"
    rec = ex._step_record(path, name)
    if rec is not None:  # started already: the record holds the child's id
        return ChildRun(ex.ctx, str(rec.result), wf.name, path)
    child_id = child_run_id(ex.run_id, path)
    data = bind_arguments(wf, args_list, kwargs)
    from portaflow.local_engine.loader import bind_input

    try:
        input_json = json.dumps(bind_input(wf, data), separators=(",", ":"))
    except Exception as exc:  # the child's input does not fit its parameters
        raise WorkflowError(str(exc)) from None
    ex._check_deadline()
    ex.engine.register(wf)
    started: dict[str, Any] = {"parent": {"run_id": ex.run_id, "path": path}}
    if wf.timeout is not None:
        started.update(deadline=ex.clock.now() + wf.timeout, timeout=wf.timeout)
    record = dumps({"run_id": child_id, "workflow": wf.name, "input": json.loads(input_json)})
    _record_start(ex, path, name, record, (child_id, wf.name, workflow_ref(wf), input_json, started))
    ex.engine.report(ex.run_id, "child_started", {"run_id": child_id, "workflow": wf.name})
    return ChildRun(ex.ctx, child_id, wf.name, path)


def _record_start(
    ex: Executor,
    key: str,
    name: str,
    data_json: str,
    child: tuple[str, str, dict[str, Any], str, dict[str, Any] | None],
) -> None:
    """Record ``child_started`` and create the child run in one commit (``Store.start_child``), under the
    executor's write lock and fence as every record of the run."""
    from portaflow.local_engine.executor import _Unwind

    with ex._write_lock:
        ex._check_stall()
        if ex._dead is not None:
            raise _Unwind(ex._dead)
        seq = ex.seq + 1
        parent = (ex.run_id, ex.engine.owner.id, ex.fence, seq, key, name, data_json, ex.clock.now())
        try:
            ex.store.start_child(parent, child)
        except (LeaseLost, CancelRequested, sqlite3.Error) as exc:
            raise ex._write_refused(exc) from None
        ex.seq = seq


def child_result(ex: Executor, scope: RunScope, handle: ChildRun) -> Any:
    """The child's output, or its ChildFailed; waits (parks) until the child has ended."""
    if not scope.can_park:
        raise WorkflowError(
            "ChildRun.result() cannot be used inside a ctx.parallel or ctx.map branch: wait for the child "
            "before or after the parallel part"
        )
    key = f"{handle.path}.result"
    known = ex.child_outcomes.get(key)
    if known is None:
        rec = ex._prim_record(key, "child", handle.run_id)
        if rec is not None:
            known = (rec.value, rec.error)
    if known is None:
        known = _await(ex, key, handle)
    ex.child_outcomes[key] = known
    output, error = known
    if error is not None:
        cls = eventerrors.resolve(ex.wf, error["type"])
        raise make_child_failed(handle.run_id, handle.workflow, error["type"], error["message"], cls)
    return output


def _await(ex: Executor, key: str, handle: ChildRun) -> tuple[Any, dict[str, str] | None]:
    event = CHILD_EVENT + handle.run_id
    announced = False
    while True:
        ex._check_deadline()
        signal = ex.store.next_signal(ex.run_id, event)
        if signal is not None:
            signal_id, payload_json, _ = signal
            outcome = json.loads(payload_json)
            error = outcome.get("error")
            kind = "child_completed" if error is None else "child_failed"
            body = {"signal": signal_id, "run_id": handle.run_id}
            body.update({"output": outcome.get("output")} if error is None else {"error": error})
            ex._record(kind, key, handle.run_id, body, dumps(body), consume_signal=signal_id)
            ex.engine.report(ex.run_id, kind, {"run_id": handle.run_id})
            return outcome.get("output"), error
        if not announced:
            ex.engine.report(ex.run_id, "waiting", {"run": handle.run_id})
            announced = True
        ex._park(key, None, event)
