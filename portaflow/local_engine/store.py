"""The SQLite event store: runs, their append-only event logs, and buffered signals.

Every write that belongs to a run checks the writer's lease *fence* in the same transaction, so a
process that lost its lease (paused, partitioned, presumed dead) can never append to a log that a newer
owner is writing. One durable commit per recorded fact; WAL with ``synchronous=FULL`` unless the caller
opts out.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portaflow.dsl.errors import EventFailed, NotWaiting, PortaflowError, RunNotFound, check_error_type
from portaflow.local_engine import childlinks
from portaflow.local_engine.owner import Owner, owner_alive

APPLICATION_ID = 0x50464C57  # "PFLW": marks a file as a portaflow database
SCHEMA_VERSION = 1
TERMINAL = frozenset({"completed", "failed", "cancelled"})

_SCHEMA = """
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    workflow TEXT NOT NULL,
    ref TEXT NOT NULL,
    input TEXT NOT NULL,
    status TEXT NOT NULL,
    output TEXT,
    error TEXT,
    stalled TEXT,
    waiting_for TEXT,
    wake_at REAL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    owner TEXT,
    owner_host TEXT,
    owner_pid INTEGER,
    owner_started TEXT,
    lease_until REAL,
    fence INTEGER NOT NULL DEFAULT 0,
    cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_by_status ON runs(status, wake_at);
CREATE INDEX runs_by_owner ON runs(owner);
CREATE TABLE events (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    key TEXT,
    name TEXT,
    data TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE TABLE signals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    name TEXT NOT NULL,
    payload TEXT NOT NULL,
    sent_at REAL NOT NULL,
    consumed_seq INTEGER
);
CREATE INDEX signals_pending ON signals(run_id, name, consumed_seq);
"""

# The events a waiting run waits for when several waits are open at once (ctx.map/ctx.parallel items that
# each wait): runs.waiting_for holds the lowest-position one, as for a single wait, and this table all of
# them, in position order. Made with the schema, and added to an older database when it is opened (an older
# portaflow ignores it, so the schema version stays).
_WAITS_TABLE = (
    "CREATE TABLE IF NOT EXISTS run_waits (run_id TEXT NOT NULL, pos INTEGER NOT NULL, name TEXT NOT NULL,"
    " PRIMARY KEY (run_id, pos)) WITHOUT ROWID"
)
# a signal the waiting run r takes: of the event it waits for, or of one of its waits
_WANTED = "(s.name = r.waiting_for OR s.name IN (SELECT w.name FROM run_waits w WHERE w.run_id = r.run_id))"

# What `portaflow ui` lists runs by, newest first, filtered by status or workflow, a page at a time. Made
# with the schema, and added to a database made before they existed when it is opened (an older portaflow
# ignores them, so the schema version stays): the list never scans the runs or sorts them.
_BROWSE_INDEXES = {
    "runs_by_created": "runs(created_at, run_id)",
    "runs_by_status_created": "runs(status, created_at, run_id)",
    "runs_by_workflow_created": "runs(workflow, created_at, run_id)",
}


def _create_browse_indexes(conn: sqlite3.Connection) -> None:
    conn.execute(_WAITS_TABLE)
    for name, columns in _BROWSE_INDEXES.items():
        conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {columns}")


def _ensure_browse_indexes(conn: sqlite3.Connection) -> None:
    """Add the missing browse indexes to an existing database; a read-only file is left as it is (its
    runs list then sorts in memory, which is slower, not wrong)."""
    marks = ",".join("?" * len(_BROWSE_INDEXES))
    have = conn.execute(
        f"SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN ({marks})",
        tuple(_BROWSE_INDEXES),
    ).fetchone()[0]
    waits = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'run_waits'").fetchone()[0]
    if have == len(_BROWSE_INDEXES) and waits:
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
        _create_browse_indexes(conn)
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if "readonly" not in str(exc):
            raise


# A signal's payload column holds the payload's JSON text, or, for an event delivered as a failure, this
# prefix and the JSON of {"type", "message"}: compact JSON text never starts with it, so no payload can be
# taken for a failure (and the schema stays as it was).
FAILURE_PREFIX = "!"


def failure_text(event: str, error: object) -> str:
    """The payload column of the failure event ``error=(type, message)``, or the PortaflowError saying
    what is wrong with it."""
    if not (isinstance(error, tuple) and len(error) == 2 and isinstance(error[1], str)):
        raise PortaflowError(
            f"event {event!r}: error must be a (type, message) pair of strings, not {error!r}"
        )
    failure = {"type": check_error_type(error[0]), "message": error[1]}
    return FAILURE_PREFIX + json.dumps(failure, separators=(",", ":"))


def failure_of(payload_text: str) -> dict[str, str] | None:
    """The {"type", "message"} of a failure event's payload column; None for a payload."""
    if not payload_text.startswith(FAILURE_PREFIX):
        return None
    failure: dict[str, str] = json.loads(payload_text[len(FAILURE_PREFIX) :])
    return failure


def _pending_value(name: str, payload_text: str) -> Any:
    """A buffered event as ``pending_events`` shows it: the payload, or an ``EventFailed`` (never JSON)."""
    failure = failure_of(payload_text)
    if failure is None:
        return json.loads(payload_text)
    return EventFailed(name, failure["type"], failure["message"])


class LeaseLost(Exception):
    """This process no longer owns the run (another process took it over)."""


class CancelRequested(Exception):
    """Someone asked for the run to be cancelled."""


@dataclass(frozen=True)
class RunRow:
    run_id: str
    workflow: str
    ref: dict[str, Any]
    input: Any
    status: str
    output: Any
    error: dict[str, Any] | None
    stalled: dict[str, Any] | None
    waiting_for: str | None
    wake_at: float | None
    created_at: float
    updated_at: float
    owner: str | None
    fence: int
    cancel_requested: bool


@dataclass(frozen=True)
class EventRow:
    seq: int
    kind: str
    key: str | None
    name: str | None
    data: dict[str, Any]
    at: float


_RUN_COLUMNS = (
    "run_id, workflow, ref, input, status, output, error, stalled, waiting_for, wake_at, created_at,"
    " updated_at, owner, fence, cancel_requested"
)


def _run_row(row: Sequence[Any]) -> RunRow:
    return RunRow(
        run_id=row[0],
        workflow=row[1],
        ref=json.loads(row[2]),
        input=json.loads(row[3]),
        status=row[4],
        output=None if row[5] is None else json.loads(row[5]),
        error=None if row[6] is None else json.loads(row[6]),
        stalled=None if row[7] is None else json.loads(row[7]),
        waiting_for=row[8],
        wake_at=row[9],
        created_at=row[10],
        updated_at=row[11],
        owner=row[12],
        fence=row[13],
        cancel_requested=bool(row[14]),
    )


def _more(fields: dict[str, Any] | None) -> str:
    """``fields`` as the tail of a JSON object whose first member is already written."""
    return "".join(f", {json.dumps(k)}: {json.dumps(v)}" for k, v in (fields or {}).items())


WAL_CHECKPOINT_PAGES = 256


def _connect(path: str, durable: bool) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=60.0)
    conn.execute("PRAGMA busy_timeout = 60000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
    # Checkpoint every 256 pages (1 MB) instead of SQLite's 1,000: the WAL then wraps to its start sooner,
    # and a commit that overwrites WAL space fsyncs faster than one that grows the file (a size change is
    # a metadata write too). About 10% faster per durable step on a fresh WAL (docs/performance.md).
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
    return conn


def _unwritable(path: str) -> str:
    folder = Path(path).resolve().parent
    what = f"the folder {folder}" if not os.access(folder, os.W_OK) else "the file"
    if os.access(folder, os.W_OK) and os.access(path, os.W_OK):
        what = "the file or its -wal/-shm files"
    return (
        f"{path}: cannot write to this database: {what} is read-only for this user (SQLite writes the "
        "file and, beside it, its -wal and -shm files); make it writable, or pass --db with a writable path"
    )


def _check_or_init(path: str) -> None:
    """Refuse a file that is not ours before changing anything in it; create the schema in a new one."""
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=60.0)
    except sqlite3.Error as exc:
        raise PortaflowError(f"{path}: cannot open the database: {exc}") from None
    try:
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc) and "unable to open" not in str(exc):
                raise
            raise PortaflowError(_unwritable(path)) from None
        except sqlite3.DatabaseError as exc:
            raise PortaflowError(
                f"{path}: not a portaflow database ({exc}); pass --db with another path"
            ) from None
        if app_id == APPLICATION_ID:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                raise PortaflowError(
                    f"{path}: database schema version {version}, "
                    f"this portaflow reads version {SCHEMA_VERSION}"
                )
            _ensure_browse_indexes(conn)
            return
        if tables:
            raise PortaflowError(
                f"{path}: a SQLite database of another application; pass --db with another path"
            )
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("BEGIN IMMEDIATE")
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            _create_browse_indexes(conn)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        if conn.in_transaction:
            conn.execute("COMMIT")
    finally:
        conn.close()


class Store:
    """All SQL lives here. Thread-safe: one connection guarded by a lock."""

    def __init__(self, path: str | os.PathLike[str], *, durable: bool = True) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            parent = Path(self.path).parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise PortaflowError(f"{self.path}: cannot create the database folder: {exc}") from None
            if Path(self.path).is_dir():
                raise PortaflowError(f"{self.path}: is a folder; --db wants a database file path")
            _check_or_init(self.path)
        self._conn = _connect(self.path, durable)
        if self.path == ":memory:":  # a database of this connection alone: its schema is made on it
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._conn.execute(statement)
            _create_browse_indexes(self._conn)
        self._lock = threading.RLock()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # ----- runs -------------------------------------------------------------------------------------

    def create_run(
        self,
        run_id: str,
        workflow: str,
        ref: dict[str, Any],
        input_json: str,
        now: float,
        started: dict[str, Any] | None = None,
    ) -> RunRow | None:
        """Insert a new run (with its ``run_started`` event, ``started`` added to its data); the existing
        row if the id is taken (so a deterministic id starts a run once, whoever asks)."""
        with self._tx() as conn:
            return self._insert_run(conn, run_id, workflow, ref, input_json, now, started)

    @staticmethod
    def _insert_run(
        conn: sqlite3.Connection,
        run_id: str,
        workflow: str,
        ref: dict[str, Any],
        input_json: str,
        now: float,
        started: dict[str, Any] | None,
    ) -> RunRow | None:
        row = conn.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        if row is not None:
            return _run_row(row)
        conn.execute(
            "INSERT INTO runs (run_id, workflow, ref, input, status, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 'running', ?, ?)",
            (run_id, workflow, json.dumps(ref), input_json, now, now),
        )
        conn.execute(
            "INSERT INTO events VALUES (?, 1, 'run_started', NULL, ?, ?, ?)",
            (run_id, workflow, '{"input": ' + input_json + _more(started) + "}", now),
        )
        return None

    # ----- schedules --------------------------------------------------------------------------------
    # A table of its own, made on first use (an older portaflow ignores it): when each schedule was first
    # seen by a worker, and the last tick a run was started for, so that a tick starts once, ever, even
    # after its run was pruned, and a new schedule does not start the ticks before it existed.

    def ensure_schedule(self, workflow: str, cron: str, timezone: str, now: float) -> float:
        """Note the schedule (a changed expression or zone counts as new); since when it is known."""
        with self._tx() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schedules (workflow TEXT PRIMARY KEY, cron TEXT NOT NULL,"
                " timezone TEXT NOT NULL, since REAL NOT NULL, last_tick REAL)"
            )
            row = conn.execute(
                "SELECT cron, timezone, since FROM schedules WHERE workflow = ?", (workflow,)
            ).fetchone()
            if row is not None and (row[0], row[1]) == (cron, timezone):
                return float(row[2])
            conn.execute(
                "INSERT OR REPLACE INTO schedules (workflow, cron, timezone, since, last_tick)"
                " VALUES (?, ?, ?, ?, (SELECT last_tick FROM schedules WHERE workflow = ?))",
                (workflow, cron, timezone, now, workflow),
            )
            return now

    def start_tick(
        self,
        tick: float,
        run_id: str,
        workflow: str,
        ref: dict[str, Any],
        input_json: str,
        now: float,
        started: dict[str, Any],
    ) -> bool:
        """Start the run of a schedule's tick unless a run was started for it (or a later tick) already:
        one transaction, so of several workers exactly one starts it."""
        with self._tx() as conn:
            row = conn.execute("SELECT last_tick FROM schedules WHERE workflow = ?", (workflow,)).fetchone()
            if row is None or (row[0] is not None and row[0] >= tick):
                return False
            conn.execute("UPDATE schedules SET last_tick = ? WHERE workflow = ?", (tick, workflow))
            return self._insert_run(conn, run_id, workflow, ref, input_json, now, started) is None

    def get_run(self, run_id: str) -> RunRow:
        rows = self._read(f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id = ?", (run_id,))
        if not rows:
            raise RunNotFound(f"no run {run_id!r} in {self.path}")
        return _run_row(rows[0])

    def list_runs(self, status: str | None = None) -> list[RunRow]:
        if status is None:
            rows = self._read(f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY created_at, run_id")
        else:
            rows = self._read(
                f"SELECT {_RUN_COLUMNS} FROM runs WHERE status = ? ORDER BY created_at, run_id", (status,)
            )
        return [_run_row(r) for r in rows]

    def _runnable(self, conn: sqlite3.Connection, row: Sequence[Any], now: float, force: bool) -> bool:
        status, waiting_for, wake_at, stalled, run_id = row
        if status == "running":
            return force or stalled is None or wake_at is None or wake_at <= now
        if status != "waiting":
            return False
        if force and waiting_for is None:
            return True
        if wake_at is not None and wake_at <= now:
            return True
        if waiting_for is None:
            return False
        pending = conn.execute(
            "SELECT 1 FROM signals s, runs r WHERE r.run_id = ? AND s.run_id = r.run_id"
            f" AND s.consumed_seq IS NULL AND {_WANTED} LIMIT 1",
            (run_id,),
        ).fetchone()
        return pending is not None

    def acquire(
        self, run_id: str, owner: Owner, lease_until: float, wall_now: float, now: float, force: bool = False
    ) -> tuple[int, str | None] | None:
        """Take the run's lease if it is runnable and free (or its owner is dead or its lease expired).

        Returns the new fence and, on a takeover, why the previous owner lost it; None if not acquired.
        """
        with self._tx() as conn:
            row = conn.execute(
                "SELECT status, waiting_for, wake_at, stalled, owner, owner_host, owner_pid, owner_started,"
                " lease_until, fence, run_id FROM runs WHERE run_id = ?",
                (run_id,),
            ).fetchone()
            if row is None:
                raise RunNotFound(f"no run {run_id!r} in {self.path}")
            status, waiting_for, wake_at, stalled, cur_owner, host, pid, started, lease, fence, _ = row
            takeover = None
            if cur_owner is not None:
                if cur_owner == owner.id:
                    return None
                alive = owner_alive(cur_owner, host, pid, started)
                if alive is False:
                    takeover = f"owner process {pid} on {host} is gone"
                elif lease is not None and lease < wall_now:
                    takeover = f"the lease of owner process {pid} on {host} expired"
                else:
                    return None
            if not self._runnable(conn, (status, waiting_for, wake_at, stalled, run_id), now, force):
                return None
            conn.execute(
                "UPDATE runs SET owner = ?, owner_host = ?, owner_pid = ?, owner_started = ?,"
                " lease_until = ?, fence = fence + 1, status = 'running', waiting_for = NULL,"
                " wake_at = NULL, stalled = NULL WHERE run_id = ?",
                (owner.id, owner.host, owner.pid, owner.started, lease_until, run_id),
            )
            if takeover is not None:
                seq = conn.execute("SELECT MAX(seq) FROM events WHERE run_id = ?", (run_id,)).fetchone()[0]
                conn.execute(
                    "INSERT INTO events VALUES (?, ?, 'run_recovered', NULL, NULL, ?, ?)",
                    (run_id, seq + 1, json.dumps({"reason": takeover}), now),
                )
            return fence + 1, takeover

    def _check_lease(self, conn: sqlite3.Connection, run_id: str, owner_id: str, fence: int) -> bool:
        """Raise LeaseLost unless we still own the run; return whether cancellation was requested."""
        row = conn.execute(
            "SELECT owner, fence, cancel_requested FROM runs WHERE run_id = ?", (run_id,)
        ).fetchone()
        if row is None or row[0] != owner_id or row[1] != fence:
            raise LeaseLost(run_id)
        return bool(row[2])

    def append(
        self,
        run_id: str,
        owner_id: str,
        fence: int,
        seq: int,
        kind: str,
        key: str | None,
        name: str | None,
        data_json: str,
        at: float,
        *,
        consume_signal: int | None = None,
    ) -> None:
        """Append one event to the run's log, fenced; optionally mark a buffered signal consumed by it.

        The common case is one statement (an INSERT guarded by the fence), hence one implicit
        transaction and one durable commit.
        """
        if consume_signal is None:
            with self._lock:
                cur = self._conn.execute(
                    "INSERT INTO events SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM runs"
                    " WHERE run_id = ? AND owner = ? AND fence = ? AND cancel_requested = 0)",
                    (run_id, seq, kind, key, name, data_json, at, run_id, owner_id, fence),
                )
                if cur.rowcount == 1:
                    return
                with self._tx() as conn:
                    if self._check_lease(conn, run_id, owner_id, fence):
                        raise CancelRequested(run_id)
                raise LeaseLost(run_id)
        with self._tx() as conn:
            if self._check_lease(conn, run_id, owner_id, fence):
                raise CancelRequested(run_id)
            conn.execute(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run_id, seq, kind, key, name, data_json, at),
            )
            taken = conn.execute(
                "UPDATE signals SET consumed_seq = ? WHERE id = ? AND consumed_seq IS NULL",
                (seq, consume_signal),
            )
            if taken.rowcount != 1:  # cannot happen under the fence; refuse rather than deliver twice
                raise LeaseLost(run_id)

    def finish(
        self,
        run_id: str,
        owner_id: str,
        fence: int,
        seq: int,
        kind: str,
        data_json: str,
        at: float,
        status: str,
        output_json: str | None,
        error_json: str | None,
    ) -> None:
        """Append the terminal event and set the run's final status in one commit."""
        with self._tx() as conn:
            cancel = self._check_lease(conn, run_id, owner_id, fence)
            if cancel and status != "cancelled":
                raise CancelRequested(run_id)
            conn.execute(
                "INSERT INTO events VALUES (?, ?, ?, NULL, NULL, ?, ?)", (run_id, seq, kind, data_json, at)
            )
            conn.execute("DELETE FROM run_waits WHERE run_id = ?", (run_id,))
            conn.execute(
                "UPDATE runs SET status = ?, output = ?, error = ?, updated_at = ?, owner = NULL,"
                " lease_until = NULL, waiting_for = NULL, wake_at = NULL, stalled = NULL WHERE run_id = ?",
                (status, output_json, error_json, at, run_id),
            )
            childlinks.wake_parent(conn, run_id, status, output_json, error_json, at)

    def start_child(
        self,
        parent: tuple[str, str, int, int, str, str, str, float],
        child: tuple[str, str, dict[str, Any], str, dict[str, Any] | None],
    ) -> RunRow | None:
        """Start a child run and record its start in the parent's log, in one commit (fenced by the
        parent's lease): a crash leaves both or neither. ``parent`` is (run id, owner, fence, seq, key, name,
        data JSON, at), ``child`` (run id, workflow, ref, input JSON, more run_started fields). The child's
        existing row if this parent already started it at this position (then only the record is written);
        ``PortaflowError`` if the id is another run's."""
        run_id, owner_id, fence, seq, key, name, data_json, at = parent
        child_id, workflow, ref, input_json, started = child
        with self._tx() as conn:
            if self._check_lease(conn, run_id, owner_id, fence):
                raise CancelRequested(run_id)
            existing = self._insert_run(conn, child_id, workflow, ref, input_json, at, started)
            linked = childlinks.link(conn, run_id, key, child_id)
            if existing is not None and (linked != (run_id, key) or existing.workflow != workflow):
                raise PortaflowError(
                    f"run {run_id} cannot start child run {child_id}: that id is taken by another run "
                    f"(of workflow {existing.workflow!r}); give the parent a shorter or other run id"
                )
            conn.execute(
                "INSERT INTO events VALUES (?, ?, 'child_started', ?, ?, ?, ?)",
                (run_id, seq, key, name, data_json, at),
            )
            return existing

    def parent(self, run_id: str) -> str | None:
        """The run that started ``run_id`` with ``ctx.start_workflow``, if one did."""
        with self._lock:
            return childlinks.parent_of(self._conn, run_id)

    def children(self, run_id: str) -> list[str]:
        """The runs ``run_id`` started with ``ctx.start_workflow``, in the order it started them."""
        with self._lock:
            return childlinks.children_of(self._conn, run_id)

    def release_waiting(
        self,
        run_id: str,
        owner_id: str,
        fence: int,
        waiting_for: str | Sequence[str] | None,
        wake_at: float | None,
        now: float,
    ) -> bool:
        """Mark the run waiting and give up its lease; False (lease kept) if an event it waits for already
        arrived. ``waiting_for``: the event, or the events of its open waits in position order."""
        names = [waiting_for] if isinstance(waiting_for, str) else list(waiting_for or ())
        with self._tx() as conn:
            self._check_lease(conn, run_id, owner_id, fence)
            if names:
                marks = ",".join("?" * len(names))
                pending = conn.execute(
                    f"SELECT 1 FROM signals WHERE run_id = ? AND name IN ({marks}) AND consumed_seq IS NULL"
                    " LIMIT 1",
                    (run_id, *names),
                ).fetchone()
                if pending is not None:
                    return False
            conn.execute("DELETE FROM run_waits WHERE run_id = ?", (run_id,))
            if len(names) > 1:
                conn.executemany(
                    "INSERT INTO run_waits (run_id, pos, name) VALUES (?, ?, ?)",
                    [(run_id, i, name) for i, name in enumerate(names)],
                )
            conn.execute(
                "UPDATE runs SET status = 'waiting', waiting_for = ?, wake_at = ?, updated_at = ?,"
                " owner = NULL, lease_until = NULL WHERE run_id = ?",
                (names[0] if names else None, wake_at, now, run_id),
            )
            return True

    def waits(self, run_id: str) -> list[str]:
        """Every event a waiting run waits for, in the order of its waits' positions (one or more)."""
        rows = self._read(
            "SELECT r.waiting_for, w.name FROM runs r LEFT JOIN run_waits w ON w.run_id = r.run_id"
            " WHERE r.run_id = ? AND r.status = 'waiting' AND r.waiting_for IS NOT NULL ORDER BY w.pos",
            (run_id,),
        )
        if not rows:
            return []
        names = [r[1] for r in rows if r[1] is not None]
        return names if len(names) > 1 else [rows[0][0]]

    def release(
        self,
        run_id: str,
        owner_id: str,
        fence: int,
        now: float,
        stalled_json: str | None = None,
        retry_at: float | None = None,
    ) -> None:
        """Give up the lease of a run that stays 'running' (shutdown, or stalled by a replay mismatch)."""
        with self._lock:
            self._conn.execute(
                "UPDATE runs SET owner = NULL, lease_until = NULL, stalled = ?, wake_at = ?, updated_at = ?"
                " WHERE run_id = ? AND owner = ? AND fence = ?",
                (stalled_json, retry_at, now, run_id, owner_id, fence),
            )

    def renew(self, owner_id: str, lease_until: float) -> list[str]:
        """Extend every lease this owner holds; return the ids of its runs whose cancellation was asked."""
        with self._lock:
            self._conn.execute("UPDATE runs SET lease_until = ? WHERE owner = ?", (lease_until, owner_id))
            rows = self._conn.execute(
                "SELECT run_id FROM runs WHERE owner = ? AND cancel_requested = 1", (owner_id,)
            ).fetchall()
        return [r[0] for r in rows]

    def request_cancel(self, run_id: str, now: float, wall_now: float) -> str:
        """Cancel an unowned run at once, or flag an owned one for its owner; returns the resulting status."""
        with self._tx() as conn:
            row = conn.execute(
                "SELECT status, owner, owner_host, owner_pid, owner_started, lease_until FROM runs"
                " WHERE run_id = ?",
                (run_id,),
            ).fetchone()
            if row is None:
                raise RunNotFound(f"no run {run_id!r} in {self.path}")
            status, owner, host, pid, started, lease = row
            if status in TERMINAL:
                return str(status)
            owned = (
                owner is not None
                and owner_alive(owner, host, pid, started) is not False
                and (lease is None or lease >= wall_now)
            )
            if owned:
                conn.execute("UPDATE runs SET cancel_requested = 1 WHERE run_id = ?", (run_id,))
                return "cancelling"
            seq = conn.execute("SELECT MAX(seq) FROM events WHERE run_id = ?", (run_id,)).fetchone()[0]
            conn.execute(
                "INSERT INTO events VALUES (?, ?, 'run_cancelled', NULL, NULL, '{}', ?)",
                (run_id, seq + 1, now),
            )
            conn.execute(
                "UPDATE runs SET status = 'cancelled', cancel_requested = 1, owner = NULL,"
                " lease_until = NULL, waiting_for = NULL, wake_at = NULL, updated_at = ? WHERE run_id = ?",
                (now, run_id),
            )
            childlinks.wake_parent(conn, run_id, "cancelled", None, None, now)
            return "cancelled"

    def reopen(self, run_id: str, data: dict[str, Any], now: float, allowed: frozenset[str]) -> None:
        """Record ``run_resumed`` and make the finished run runnable again, in one commit; the recorded
        history stays as it is (its terminal event included)."""
        with self._tx() as conn:
            row = conn.execute("SELECT status FROM runs WHERE run_id = ?", (run_id,)).fetchone()
            if row is None:
                raise RunNotFound(f"no run {run_id!r} in {self.path}")
            if row[0] not in allowed:
                raise PortaflowError(
                    f"run {run_id} is {row[0]}: only a {' or '.join(sorted(allowed))} run can be retried"
                )
            seq = conn.execute("SELECT MAX(seq) FROM events WHERE run_id = ?", (run_id,)).fetchone()[0]
            conn.execute(
                "INSERT INTO events VALUES (?, ?, 'run_resumed', NULL, NULL, ?, ?)",
                (run_id, seq + 1, json.dumps(data), now),
            )
            conn.execute(
                "UPDATE runs SET status = 'running', output = NULL, error = NULL, stalled = NULL,"
                " waiting_for = NULL, wake_at = NULL, owner = NULL, lease_until = NULL,"
                " cancel_requested = 0, updated_at = ? WHERE run_id = ?",
                (now, run_id),
            )

    def count_finished(self, statuses: Sequence[str], before: float) -> int:
        marks = ",".join("?" * len(statuses))
        rows = self._read(
            f"SELECT count(*) FROM runs WHERE status IN ({marks}) AND updated_at < ?", (*statuses, before)
        )
        return int(rows[0][0])

    def delete_finished(self, statuses: Sequence[str], before: float, limit: int) -> int:
        """Delete up to ``limit`` runs in ``statuses`` (finished ones only) last updated before ``before``,
        with their events and signals, in one transaction; how many were deleted."""
        wanted = [s for s in statuses if s in TERMINAL]
        if not wanted:
            return 0
        marks = ",".join("?" * len(wanted))
        with self._tx() as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    f"SELECT run_id FROM runs WHERE status IN ({marks}) AND updated_at < ? LIMIT ?",
                    (*wanted, before, limit),
                ).fetchall()
            ]
            if not ids:
                return 0
            these = ",".join("?" * len(ids))
            conn.execute(f"DELETE FROM events WHERE run_id IN ({these})", ids)
            conn.execute(f"DELETE FROM signals WHERE run_id IN ({these})", ids)
            conn.execute(f"DELETE FROM runs WHERE run_id IN ({these})", ids)
            childlinks.forget(conn, ids)
            return len(ids)

    # ----- events and signals -----------------------------------------------------------------------

    def load_events(self, run_id: str) -> list[EventRow]:
        rows = self._read(
            "SELECT seq, kind, key, name, data, at FROM events WHERE run_id = ? ORDER BY seq", (run_id,)
        )
        return [EventRow(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5]) for r in rows]

    def last_seq(self, run_id: str) -> int:
        return int(self._read("SELECT MAX(seq) FROM events WHERE run_id = ?", (run_id,))[0][0] or 0)

    def add_signal(
        self, run_id: str, name: str, payload_json: str, now: float, *, only_if_waiting: bool = False
    ) -> int:
        """Buffer the event for the run (consumed, oldest first, by its next ``wait_for_event(name)``).

        ``only_if_waiting``: record it only if the run waits for ``name`` now, its wait not timed out and
        not answered already (an event buffered, not consumed yet), else raise ``NotWaiting``; checked and
        written in one transaction, so of two senders racing, exactly one event is recorded.
        """
        with self._tx() as conn:
            row = conn.execute(
                "SELECT status, waiting_for, wake_at FROM runs WHERE run_id = ?", (run_id,)
            ).fetchone()
            if row is None:
                raise RunNotFound(f"no run {run_id!r} in {self.path}")
            if only_if_waiting:
                self._check_waiting(conn, run_id, name, row, now)
            elif row[0] in TERMINAL:
                raise PortaflowError(f"run {run_id} is {row[0]}; the event {name!r} was not recorded")
            cur = conn.execute(
                "INSERT INTO signals (run_id, name, payload, sent_at) VALUES (?, ?, ?, ?)",
                (run_id, name, payload_json, now),
            )
            conn.execute("UPDATE runs SET updated_at = ? WHERE run_id = ?", (now, run_id))
            return int(cur.lastrowid or 0)

    @staticmethod
    def _check_waiting(
        conn: sqlite3.Connection, run_id: str, name: str, row: Sequence[Any], now: float
    ) -> None:
        status, waiting_for, wake_at = row
        why = None
        several = conn.execute(
            "SELECT 1 FROM run_waits WHERE run_id = ? AND name = ? LIMIT 1", (run_id, name)
        ).fetchone()
        if status == "waiting" and waiting_for is not None and several is not None:
            waiting_for = name  # one of the events its open waits wait for
        if status != "waiting" or waiting_for != name:
            doing = f"waits for {waiting_for!r}" if status == "waiting" and waiting_for else f"is {status}"
            why = f"it {doing}"
        elif wake_at is not None and wake_at <= now and several is None:  # (of several: the earliest's)
            why = "its wait timed out"
        elif conn.execute(
            "SELECT 1 FROM signals WHERE run_id = ? AND name = ? AND consumed_seq IS NULL LIMIT 1",
            (run_id, name),
        ).fetchone():
            why = "the event was delivered already (a worker continues the run)"
        if why is not None:
            raise NotWaiting(f"run {run_id} no longer waits for event {name!r}: {why}; nothing was recorded")

    def next_signal(self, run_id: str, name: str) -> tuple[int, str, float] | None:
        """The oldest unconsumed event ``name`` of the run: (id, payload JSON or failure text
        (:func:`failure_text`), time received)."""
        rows = self._read(
            "SELECT id, payload, sent_at FROM signals WHERE run_id = ? AND name = ? AND consumed_seq IS NULL"
            " ORDER BY id LIMIT 1",
            (run_id, name),
        )
        return (rows[0][0], rows[0][1], rows[0][2]) if rows else None

    def wait_label(self, run_id: str) -> str | None:
        """The ``label`` of the run's latest ``wait_started`` (the wait a waiting run is in), if any."""
        rows = self._read(
            "SELECT data FROM events WHERE run_id = ? AND kind = 'wait_started' ORDER BY seq DESC LIMIT 1",
            (run_id,),
        )
        label = json.loads(rows[0][0]).get("label") if rows else None
        return label if isinstance(label, str) else None

    def pending_signals(self, run_id: str) -> list[tuple[str, Any]]:
        rows = self._read(
            "SELECT name, payload FROM signals WHERE run_id = ? AND consumed_seq IS NULL ORDER BY id",
            (run_id,),
        )
        # a child run's wake-up is not an event of the run's (it waits in ChildRun.result() for it)
        return [
            (r[0], _pending_value(r[0], r[1])) for r in rows if not r[0].startswith(childlinks.CHILD_EVENT)
        ]

    # ----- scheduling -------------------------------------------------------------------------------

    def runnable(self, now: float, wall_now: float, me: str, limit: int) -> list[str]:
        """Runs a worker may take now: due, signalled, unowned, or owned by a dead/expired owner."""
        rows = self._read(
            "SELECT r.run_id, r.owner, r.owner_host, r.owner_pid, r.owner_started, r.lease_until FROM runs r"
            " WHERE (r.status = 'running' AND (r.owner IS NOT NULL OR r.stalled IS NULL OR r.wake_at <= ?))"
            " OR (r.status = 'waiting' AND (r.wake_at <= ? OR (r.waiting_for IS NOT NULL AND EXISTS ("
            f"   SELECT 1 FROM signals s WHERE s.run_id = r.run_id AND {_WANTED}"
            "   AND s.consumed_seq IS NULL))))"
            " ORDER BY r.created_at LIMIT ?",
            (now, now, limit * 4 + 16),
        )
        out: list[str] = []
        for run_id, owner, host, pid, started, lease in rows:
            if owner is not None:
                if owner == me:
                    continue
                if owner_alive(owner, host, pid, started) is not False and (
                    lease is None or lease >= wall_now
                ):
                    continue
            out.append(run_id)
            if len(out) >= limit:
                break
        return out

    def stalled(self) -> list[str]:
        """Runs stopped by a replay mismatch that nobody is executing, oldest first."""
        rows = self._read(
            "SELECT run_id FROM runs WHERE status = 'running' AND stalled IS NOT NULL AND owner IS NULL"
            " ORDER BY created_at"
        )
        return [r[0] for r in rows]

    def next_wake(self) -> float | None:
        row = self._read("SELECT MIN(wake_at) FROM runs WHERE status IN ('waiting', 'running')")
        return None if row[0][0] is None else float(row[0][0])
