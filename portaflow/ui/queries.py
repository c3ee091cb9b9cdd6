"""What the dashboard reads from a local engine's database: pages of runs, one run, the approvals inbox.

Read-only, on a connection of its own (the UI's writes go through ``Engine``), so that worker processes may
write the database while the UI reads it: SQLite's WAL lets readers and one writer work at once. Every
list is a keyset page over the store's browse indexes (``store._BROWSE_INDEXES``): newest first, filtered
by status or workflow, never a scan or a sort of all runs, however many there are.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from portaflow.dsl.errors import PortaflowError, RunNotFound
from portaflow.local_engine.childlinks import CHILD_EVENT
from portaflow.local_engine.store import EventRow, failure_of

STATUSES = ("running", "waiting", "completed", "failed", "cancelled")
PAGE_SIZE = 50
MAX_WORKFLOWS = 200  # the workflow filter lists at most this many names


@dataclass(frozen=True)
class RunFilter:
    """The runs list's filters; empty strings mean "any"."""

    status: str = ""
    workflow: str = ""
    run_id: str = ""  # a prefix of the run id (prefixes are what an index can find)

    def check(self) -> None:
        if self.status and self.status not in STATUSES:
            raise PortaflowError(f"status {self.status!r} is not one of {', '.join(STATUSES)}")


@dataclass(frozen=True)
class Cursor:
    """A position in the newest-first order: (created_at, run_id) of a run at a page's edge."""

    created_at: float
    run_id: str

    def encode(self) -> str:
        return f"{self.created_at!r}_{self.run_id}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        stamp, sep, run_id = text.partition("_")
        try:
            created = float(stamp)
        except ValueError:
            created = float("nan")
        if not sep or not run_id or created != created:
            raise PortaflowError(f"page cursor {text!r} is not one this dashboard made; open the first page")
        return cls(created, run_id)


@dataclass(frozen=True)
class RunSummary:
    """A row of the runs list (and of the inbox)."""

    run_id: str
    workflow: str
    status: str
    waiting_for: str | None
    wake_at: float | None
    created_at: float
    updated_at: float
    error: dict[str, Any] | None
    stalled: dict[str, Any] | None
    waiting_since: float | None = None  # the inbox: when its wait_started was recorded
    answered: bool = False  # the inbox: an answer was delivered, a worker has not consumed it yet

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.created_at, self.run_id)


@dataclass(frozen=True)
class RunPage:
    runs: list[RunSummary]
    newer: Cursor | None  # the page before this one (newer runs), None on the first page
    older: Cursor | None  # the page after it, None on the last


@dataclass(frozen=True)
class RunDetail:
    """A run with everything its page shows."""

    summary: RunSummary
    ref: dict[str, Any]
    input: Any
    output: Any
    cancel_requested: bool
    owner: str | None
    events: list[EventRow] = field(default_factory=list)
    pending: list[tuple[str, Any, float]] = field(default_factory=list)  # buffered events: name, payload, at


_SUMMARY = "run_id, workflow, status, waiting_for, wake_at, created_at, updated_at, error, stalled"


def _pending_payload(text: str) -> Any:
    """A buffered event's payload column as shown: its JSON, or for a failure event (`signal --error`)
    ``{"failure": {"type", "message"}}`` (the column is not JSON then: store.failure_text)."""
    failure = failure_of(text)
    return json.loads(text) if failure is None else {"failure": failure}


def _summary(row: Sequence[Any], waiting_since: float | None = None, answered: bool = False) -> RunSummary:
    return RunSummary(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        row[6],
        None if row[7] is None else json.loads(row[7]),
        None if row[8] is None else json.loads(row[8]),
        waiting_since,
        answered,
    )


def page_query(flt: RunFilter, cursor: Cursor | None, newer: bool, limit: int) -> tuple[str, list[Any]]:
    """The SQL of one page (``limit`` rows, one more to know whether another page follows): the runs
    older than ``cursor`` (or newer, ``newer``), newest first, with the filters' conditions."""
    where: list[str] = []
    params: list[Any] = []
    if flt.status:
        where.append("status = ?")
        params.append(flt.status)
    if flt.workflow:
        where.append("workflow = ?")
        params.append(flt.workflow)
    if flt.run_id:
        # a prefix as a range of the primary key: LIKE would scan (its wildcards, its case folding)
        where.append("run_id >= ? AND run_id < ?")
        params += [flt.run_id, flt.run_id + "\U0010ffff"]
    if cursor is not None:
        where.append(f"(created_at, run_id) {'>' if newer else '<'} (?, ?)")
        params += [cursor.created_at, cursor.run_id]
    order = "ASC" if newer else "DESC"
    sql = (
        f"SELECT {_SUMMARY} FROM runs{' WHERE ' + ' AND '.join(where) if where else ''}"
        f" ORDER BY created_at {order}, run_id {order} LIMIT ?"
    )
    return sql, [*params, limit + 1]


class Queries:
    """The dashboard's reads on ``path``: one connection, a consistent snapshot per call."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=60.0)
        self._conn.execute("PRAGMA busy_timeout = 60000")
        self._conn.execute("PRAGMA query_only = ON")
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: what several statements read belongs to one committed state."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    def version(self) -> int:
        """Changes whenever another connection (a worker, the UI's engine) commits: what live pages poll."""
        with self._lock:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def page(
        self, flt: RunFilter, cursor: Cursor | None = None, newer: bool = False, limit: int = PAGE_SIZE
    ) -> RunPage:
        flt.check()
        sql, params = page_query(flt, cursor, newer, limit)
        with self._snapshot() as conn:
            rows = [_summary(r) for r in conn.execute(sql, params).fetchall()]
        more = len(rows) > limit
        rows = rows[:limit]
        if newer and not more:  # back at the newest runs: the first page, full
            return self.page(flt, None, False, limit)
        if newer:
            rows.reverse()
            # came from an older page (so there is one), and newer runs exist beyond these
            return RunPage(rows, rows[0].cursor, rows[-1].cursor)
        return RunPage(
            rows, rows[0].cursor if cursor is not None and rows else None, rows[-1].cursor if more else None
        )

    def counts(self) -> dict[str, int]:
        """How many runs are in each status (each a count over its range of the status index)."""
        with self._snapshot() as conn:
            return {
                s: int(conn.execute("SELECT count(*) FROM runs WHERE status = ?", (s,)).fetchone()[0])
                for s in STATUSES
            }

    def workflows(self) -> list[str]:
        """The workflows that have runs, by name: one index seek per name, not a scan of the runs."""
        names: list[str] = []
        with self._snapshot() as conn:
            row = conn.execute("SELECT min(workflow) FROM runs").fetchone()
            while row is not None and row[0] is not None and len(names) < MAX_WORKFLOWS:
                names.append(row[0])
                row = conn.execute("SELECT min(workflow) FROM runs WHERE workflow > ?", (row[0],)).fetchone()
        return names

    def run(self, run_id: str) -> RunDetail:
        with self._snapshot() as conn:
            row = conn.execute(
                f"SELECT {_SUMMARY}, ref, input, output, cancel_requested, owner FROM runs WHERE run_id = ?",
                (run_id,),
            ).fetchone()
            if row is None:
                raise RunNotFound(f"no run {run_id!r} in {self.path}")
            events = [
                EventRow(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5])
                for r in conn.execute(
                    "SELECT seq, kind, key, name, data, at FROM events WHERE run_id = ? ORDER BY seq",
                    (run_id,),
                ).fetchall()
            ]
            pending = [
                (r[0], _pending_payload(r[1]), float(r[2]))
                for r in conn.execute(
                    "SELECT name, payload, sent_at FROM signals WHERE run_id = ? AND consumed_seq IS NULL"
                    " ORDER BY id",
                    (run_id,),
                ).fetchall()
            ]
        return RunDetail(
            summary=_summary(row[:9]),
            ref=json.loads(row[9]),
            input=json.loads(row[10]),
            output=None if row[11] is None else json.loads(row[11]),
            cancel_requested=bool(row[12]),
            owner=row[13],
            events=events,
            pending=pending,
        )

    def waiting(self, limit: int = 500) -> list[RunSummary]:
        """The runs waiting for an event, the longest-waiting first, each with when its wait began and
        whether an answer was delivered already (then a worker has yet to consume it)."""
        with self._snapshot() as conn:
            rows = conn.execute(
                f"SELECT {', '.join('r.' + c for c in _SUMMARY.split(', '))},"
                " (SELECT max(e.at) FROM events e WHERE e.run_id = r.run_id AND e.kind = 'wait_started'"
                "  AND e.name = r.waiting_for),"
                " EXISTS (SELECT 1 FROM signals s WHERE s.run_id = r.run_id AND s.name = r.waiting_for"
                "  AND s.consumed_seq IS NULL)"
                " FROM runs r WHERE r.status = 'waiting' AND r.waiting_for IS NOT NULL"
                f" AND r.waiting_for NOT LIKE '{CHILD_EVENT}%'"  # a parent waiting for its child run
                " ORDER BY r.created_at, r.run_id LIMIT ?",
                (limit,),
            ).fetchall()
        out = [_summary(r[:9], r[9], bool(r[10])) for r in rows]
        return sorted(out, key=lambda s: (s.waiting_since or s.updated_at, s.run_id))

    def waiting_count(self) -> int:
        """How many runs wait for an event (the inbox's size, shown in every page's header)."""
        with self._snapshot() as conn:
            row = conn.execute(
                "SELECT count(*) FROM runs WHERE status = 'waiting' AND waiting_for IS NOT NULL"
                f" AND waiting_for NOT LIKE '{CHILD_EVENT}%'"
            ).fetchone()
        return int(row[0])

    def explain(self, sql: str, params: Sequence[Any]) -> list[str]:
        """SQLite's plan for ``sql``: the tests check that pages use indexes."""
        with self._lock:
            return [str(r[3]) for r in self._conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()]
