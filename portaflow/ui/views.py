"""What each page shows, as template contexts: the runs list, a run, the inbox.

A page and its live updates are rendered from the same context, so a refresh pushed over server-sent
events is exactly what a reload would show.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from portaflow.dsl.durations import format_duration
from portaflow.local_engine.childlinks import CHILD_EVENT
from portaflow.local_engine.retrying import pending_retries
from portaflow.ui.graph_view import GraphCache, drawing
from portaflow.ui.queries import STATUSES, Cursor, Queries, RunFilter, RunSummary
from portaflow.ui.timeline import pretty, span, timeline, when

TERMINAL = ("completed", "failed", "cancelled")


@dataclass(frozen=True)
class Row:
    """A run as a row of a table: its fields formatted."""

    run: RunSummary
    now: float

    @property
    def started(self) -> str:
        return when(self.run.created_at)

    @property
    def updated(self) -> str:
        return when(self.run.updated_at)

    @property
    def duration(self) -> str:
        end = self.run.updated_at if self.run.status in TERMINAL else self.now
        return span(max(0.0, end - self.run.created_at))

    @property
    def status(self) -> str:
        """The status shown: ``stalled`` for a run stopped by a replay mismatch."""
        return "stalled" if self.run.status == "running" and self.run.stalled else self.run.status

    @property
    def waited(self) -> str:
        since = self.run.waiting_since or self.run.updated_at
        return format_duration(round(max(0.0, self.now - since)))

    @property
    def times_out(self) -> str:
        if self.run.wake_at is None:
            return "never"
        left = self.run.wake_at - self.now
        due = f"in {format_duration(round(left))}" if left >= 1 else "due"
        return f"{when(self.run.wake_at)} UTC ({due})"


def runs_filter(params: Mapping[str, str]) -> RunFilter:
    flt = RunFilter(
        status=params.get("status", "").strip(),
        workflow=params.get("workflow", "").strip(),
        run_id=params.get("q", "").strip(),
    )
    flt.check()
    return flt


def _link(flt: RunFilter, **more: str) -> str:
    args = {"status": flt.status, "workflow": flt.workflow, "q": flt.run_id, **more}
    query = urlencode({k: v for k, v in args.items() if v})
    return f"/?{query}" if query else "/"


def runs_context(queries: Queries, params: Mapping[str, str]) -> dict[str, Any]:
    """The runs list: one page of the filtered runs, newest first, with links to the pages around it."""
    flt = runs_filter(params)
    before, after = params.get("before"), params.get("after")
    cursor = Cursor.decode(after) if after else Cursor.decode(before) if before else None
    page = queries.page(flt, cursor, newer=bool(after))
    now = time.time()
    return {
        "flt": flt,
        "rows": [Row(r, now) for r in page.runs],
        "newer": _link(flt, after=page.newer.encode()) if page.newer else None,
        "older": _link(flt, before=page.older.encode()) if page.older else None,
        "counts": queries.counts(),
        "workflows": queries.workflows(),
        "statuses": STATUSES,
        "status_links": {s: _link(RunFilter(s, flt.workflow, flt.run_id)) for s in ("", *STATUSES)},
        "live": "/live/runs?" + urlencode({k: v for k, v in params.items() if k not in ("done", "run")}),
    }


def run_context(queries: Queries, graphs: GraphCache, run_id: str) -> dict[str, Any]:
    """A run: its status, result or error, pending answers, graph and timeline."""
    detail = queries.run(run_id)
    s = detail.summary
    now = time.time()
    error = s.error if s.status == "failed" else s.stalled
    return {
        "detail": detail,
        "row": Row(s, now),
        "entries": timeline(detail.events),
        "graph": drawing(graphs, detail.ref, s.workflow, detail.events, s.status, s.waiting_for),
        "output": pretty(detail.output) if s.status == "completed" else None,
        "error": error,
        "error_json": pretty({k: v for k, v in error.items() if k not in ("traceback", "step")})
        if error
        else None,
        "tracebacks": _tracebacks(error),
        "pending": [(name, pretty(payload), when(at)) for name, payload, at in detail.pending],
        "input": pretty(detail.input),
        # a run in backoff is stored waiting with a wake time, like a sleeping one: say which step retries
        "retrying": [
            (r.step, r.attempt, f"{r.error.get('type')}: {r.error.get('message')}", when(r.retry_at))
            for r in pending_retries(detail.events)
        ]
        if s.status == "waiting"
        else [],
        "done": s.status in TERMINAL,
        "answerable": s.status == "waiting"
        and s.waiting_for is not None
        and not s.waiting_for.startswith(CHILD_EVENT)  # a child run's end answers that wait
        and not detail.pending,
        "live": f"/live/run?{urlencode({'id': run_id})}",
    }


def _tracebacks(error: dict[str, Any] | None) -> list[tuple[str, str]]:
    if not error:
        return []
    out = []
    step = error.get("step")
    if isinstance(step, dict) and step.get("traceback"):
        out.append((f"step {step.get('name')}, its last attempt", str(step["traceback"])))
    if error.get("traceback"):
        out.append(("the workflow", str(error["traceback"])))
    return out


def inbox_context(queries: Queries) -> dict[str, Any]:
    """Every run waiting for an event: the longest-waiting first."""
    now = time.time()
    return {"rows": [Row(r, now) for r in queries.waiting()], "live": "/live/inbox"}
