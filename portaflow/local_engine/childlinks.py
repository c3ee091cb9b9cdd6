"""Which run started which (``ctx.start_workflow``), and the wake-up a child's end sends its parent.

A table of its own, made on first use (an older portaflow ignores it, so the schema version stays). When
a child run ends, the same transaction that records its end buffers a signal for its parent, named
``~child:<child run id>`` with the child's outcome: the parent's ``ChildRun.result()`` waits for that name
as ``wait_for_event`` waits for an event, so a parent is woken exactly as a signalled run is (a worker's
``runnable`` query, or the engine that drives the family).
"""

from __future__ import annotations

import json
import sqlite3

CHILD_EVENT = "~child:"  # + the child's run id: the signal that wakes its parent (not a user event name)

_TABLE = (
    "CREATE TABLE IF NOT EXISTS children (child TEXT PRIMARY KEY, parent TEXT NOT NULL, path TEXT NOT NULL)"
)
_INDEX = "CREATE INDEX IF NOT EXISTS children_by_parent ON children(parent)"


def has_table(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'children'").fetchone()
    return row is not None


def link(conn: sqlite3.Connection, parent: str, path: str, child: str) -> tuple[str, str] | None:
    """Note that ``parent`` started ``child`` at ``path``; the existing (parent, path) if already noted."""
    conn.execute(_TABLE)
    conn.execute(_INDEX)
    row = conn.execute("SELECT parent, path FROM children WHERE child = ?", (child,)).fetchone()
    if row is not None:
        return str(row[0]), str(row[1])
    conn.execute("INSERT INTO children VALUES (?, ?, ?)", (child, parent, path))
    return None


def parent_of(conn: sqlite3.Connection, child: str) -> str | None:
    if not has_table(conn):
        return None
    row = conn.execute("SELECT parent FROM children WHERE child = ?", (child,)).fetchone()
    return None if row is None else str(row[0])


def children_of(conn: sqlite3.Connection, parent: str) -> list[str]:
    """The runs ``parent`` started, in the order of their positions' creation."""
    if not has_table(conn):
        return []
    rows = conn.execute("SELECT child FROM children WHERE parent = ? ORDER BY rowid", (parent,)).fetchall()
    return [str(r[0]) for r in rows]


def forget(conn: sqlite3.Connection, run_ids: list[str]) -> None:
    """Drop the links of deleted runs (``prune``): a child outliving its pruned parent wakes nobody."""
    if run_ids and has_table(conn):
        marks = ",".join("?" * len(run_ids))
        conn.execute(f"DELETE FROM children WHERE child IN ({marks}) OR parent IN ({marks})", run_ids * 2)


def outcome_text(status: str, output_json: str | None, error_json: str | None) -> str:
    """The wake-up signal's payload: ``{"status", "output"}``, or ``{"status", "error": {type, message}}``
    (a cancelled child: ``Cancelled``, as ``RunHandle.result()`` reports it)."""
    if status == "completed":
        return '{"status":"completed","output":' + (output_json or "null") + "}"
    if status == "cancelled":
        error = {"type": "Cancelled", "message": "the run was cancelled"}
    else:
        full = json.loads(error_json or "{}")
        error = {"type": str(full.get("type")), "message": str(full.get("message"))}
    return json.dumps({"status": status, "error": error}, separators=(",", ":"), ensure_ascii=False)


def wake_parent(
    conn: sqlite3.Connection,
    child: str,
    status: str,
    output_json: str | None,
    error_json: str | None,
    now: float,
) -> None:
    """Inside the transaction that ends ``child``: buffer its outcome for its parent, if it has one."""
    parent = parent_of(conn, child)
    if parent is None:
        return
    conn.execute(
        "INSERT INTO signals (run_id, name, payload, sent_at) VALUES (?, ?, ?, ?)",
        (parent, CHILD_EVENT + child, outcome_text(status, output_json, error_json), now),
    )
