"""Restarting a failed (or cancelled) run: resumed from its failed step, or started again from the start.

A resume is DBOS's fork from a step, in place: a ``run_resumed`` event names the failed steps to attempt
again; replay returns every other recorded result as before, and those steps get a fresh attempt budget.
Which steps: the failure that ended the run is in the *last* call of the workflow (a failure caught
earlier was handled, and later calls depend on it), so the last call is followed down: into a child
workflow's last call, every branch of a ``ctx.parallel`` (its last call each) and every item of a
``ctx.map``. A failed step found there is reset; a run that failed in workflow code is replayed as it is
(with the code as it is now).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from portaflow.dsl.durations import Duration
from portaflow.dsl.errors import PortaflowError
from portaflow.local_engine.history import History
from portaflow.local_engine.store import EventRow, RunRow

if TYPE_CHECKING:
    from portaflow.local_engine.engine import Engine
    from portaflow.local_engine.runs import RunHandle

RETRYABLE = frozenset({"failed", "cancelled"})


def steps_to_retry(events: list[EventRow]) -> list[str]:
    """The positions of the failed steps a resume attempts again (see the module docstring)."""
    history = History.fold(events)
    first: dict[str, int] = {}
    markers: set[str] = set()
    for ev in events:
        if ev.key is not None and ev.kind != "log_written":  # a ctx.log line is no call
            first.setdefault(ev.key, ev.seq)
            if ev.kind == "call_started":
                markers.add(ev.key)

    def children(prefix: str) -> list[str]:
        return [k for k in first if k.startswith(prefix) and "." not in k[len(prefix) :]]

    def failed(key: str) -> bool:
        rec = history.steps.get(key)
        return rec is not None and rec.error is not None

    def last_of(prefix: str) -> list[str]:
        keys = children(prefix)
        return follow(max(keys, key=first.__getitem__)) if keys else []

    def follow(key: str) -> list[str]:
        if key not in markers:
            return [key] if failed(key) else []
        name = history.steps[key].name
        if name.startswith("map:"):
            return [k for k in children(f"{key}.") if failed(k)]
        if name.startswith("parallel:"):
            return [k for b in range(int(name.split(":")[1])) for k in last_of(f"{key}.{b}.")]
        return last_of(f"{key}.")  # a child workflow

    return sorted(last_of(""), key=first.__getitem__)


def _retryable(engine: Engine, run_id: str) -> RunRow:
    row = engine.store.get_run(run_id)
    if row.status not in RETRYABLE:
        raise PortaflowError(f"run {run_id} is {row.status}: only a failed or cancelled run can be retried")
    return row


def resume(engine: Engine, run_id: str, max_wait: Duration | None) -> RunHandle:
    """Resume the failed or cancelled run from its failed step(s), then execute it here."""
    from portaflow.local_engine.runs import RunHandle

    store = engine.store
    row = _retryable(engine, run_id)
    reset = steps_to_retry(store.load_events(run_id))
    data: dict[str, Any] = {"reset": reset}
    wf = engine._resolve(row)  # the code must load before anything is recorded
    if wf.timeout is not None:  # the execution timeout counts again from the resume
        data.update(deadline=engine.clock.now() + wf.timeout, timeout=wf.timeout)
    store.reopen(run_id, data, engine.clock.now(), RETRYABLE)
    engine.report(run_id, "resumed", {"reset": reset})
    engine.execute(run_id, max_wait=max_wait)
    return RunHandle(engine, run_id)


def start_again(engine: Engine, run_id: str, new_run_id: str | None, max_wait: Duration | None) -> RunHandle:
    """A new run of the same workflow with the failed or cancelled run's input, executed here."""
    row = _retryable(engine, run_id)
    wf = engine._resolve(row)
    handle = engine._submit(wf, row.input, new_run_id, {"retry_of": run_id})
    if handle.existed:
        raise PortaflowError(f"run id {new_run_id!r} is taken; pick another --run-id")
    engine.execute(handle.run_id, max_wait=max_wait)
    return handle
