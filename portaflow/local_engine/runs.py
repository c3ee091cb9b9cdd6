"""What the engine hands back about a run: ``RunStatus`` (where it stands, as the CLI prints it) and
``RunHandle`` (a started run's methods), apart from the engine that makes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from portaflow.dsl.durations import Duration
from portaflow.local_engine.childlinks import CHILD_EVENT
from portaflow.local_engine.retrying import PendingRetry
from portaflow.local_engine.store import TERMINAL, EventRow, RunRow

if TYPE_CHECKING:
    from portaflow.local_engine.engine import Engine

HistoryEvent = EventRow


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class RunStatus:
    """Where a run stands; ``to_json()`` is the object the CLI prints."""

    run_id: str
    workflow: str
    status: str
    output: Any
    error: dict[str, Any] | None
    waiting_for: str | None
    wake_at: float | None
    created_at: float
    updated_at: float
    wait_label: str | None = None  # the label of the wait for ``waiting_for`` (ctx.wait_for_event(label=))
    # the steps waiting out a retry delay (``Engine.status`` fills it: ``pending_retries``)
    retrying: tuple[PendingRetry, ...] = ()
    # every event the run waits for when several waits are open (ctx.map/ctx.parallel items), in position
    # order; ``waiting_for`` is the first. Empty for a single wait
    waiting_for_all: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        row: RunRow,
        wait_label: str | None = None,
        retrying: tuple[PendingRetry, ...] = (),
        waits: tuple[str, ...] = (),
    ) -> RunStatus:
        error = row.error if row.status == "failed" else row.stalled
        return cls(
            row.run_id,
            row.workflow,
            row.status,
            row.output,
            error,
            row.waiting_for,
            row.wake_at,
            row.created_at,
            row.updated_at,
            wait_label if row.status == "waiting" and row.waiting_for is not None else None,
            retrying,
            waits if len(waits) > 1 else (),
        )

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    @property
    def waiting_for_run(self) -> str | None:
        """The child run a waiting run waits for (``ChildRun.result()``), if it waits for one."""
        if self.status == "waiting" and self.waiting_for and self.waiting_for.startswith(CHILD_EVENT):
            return self.waiting_for[len(CHILD_EVENT) :]
        return None

    def to_json(self, timestamps: bool = False) -> dict[str, Any]:
        """The run as JSON; with ``timestamps`` (``status --json``) also its times and the error's
        traceback, call site and failed step (see docs/cli.md)."""
        out: dict[str, Any] = {"run_id": self.run_id, "status": self.status}
        if self.status == "completed":
            out["output"] = self.output
        if self.error is not None:
            # the one-line form (`run`'s last line) keeps type and message; status --json has it all
            out["error"] = (
                self.error
                if timestamps
                else {k: v for k, v in self.error.items() if k in ("type", "message")}
            )
        if self.status == "waiting":
            if self.waiting_for_run is not None:
                out["waiting_for_run"] = self.waiting_for_run
            elif self.waiting_for is not None:
                out["waiting_for"] = self.waiting_for
            if self.waiting_for_all:
                out["waiting_for_all"] = list(self.waiting_for_all)
            if self.wait_label is not None:
                out["wait_label"] = self.wait_label
            if self.wake_at is not None:
                out["wake_at"] = _iso(self.wake_at)
            if self.retrying:
                out["retrying"] = [r.to_json() for r in self.retrying]
        if timestamps:
            out["workflow"] = self.workflow
            out["created_at"] = _iso(self.created_at)
            out["updated_at"] = _iso(self.updated_at)
        return out


class RunHandle:
    """A run started on an engine."""

    def __init__(self, engine: Engine, run_id: str, existed: bool = False) -> None:
        self.engine = engine
        self.run_id = run_id
        self.existed = existed  # submit() found a run with this id and returned it instead

    def status(self) -> RunStatus:
        return self.engine.status(self.run_id)

    def history(self) -> list[HistoryEvent]:
        return self.engine.history(self.run_id)

    def signal(self, event: str, payload: Any = None, *, error: tuple[str, str] | None = None) -> RunStatus:
        return self.engine.signal(self.run_id, event, payload, error=error)

    def cancel(self) -> RunStatus:
        return self.engine.cancel(self.run_id)

    def result(self, timeout: Duration | None = None) -> Any:
        """Wait for the run to end; its output, or ``WorkflowFailed``.

        On a virtual clock, time skips to each timer or event timeout as needed (like Temporal's
        time-skipping environment); a run waiting for an event that has no timeout is an error here.
        """
        return self.engine.result(self.run_id, timeout)

    def __repr__(self) -> str:
        return f"RunHandle({self.run_id!r})"
