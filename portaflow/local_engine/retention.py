"""Retention: deleting finished runs and their history, in bounded batches.

One transaction per batch (``BATCH`` runs), so a prune of millions of runs never holds the database's
write lock for long: workers keep recording between batches. Only finished runs (completed, failed,
cancelled) are ever deleted, chosen by when they finished (their last update), in workflow time.
"""

from __future__ import annotations

from collections.abc import Iterable

from portaflow.dsl.errors import PortaflowError
from portaflow.local_engine.store import TERMINAL, Store

BATCH = 500


def finished_statuses(statuses: Iterable[str] | None) -> list[str]:
    """The statuses to prune, checked: finished ones only (all three when None)."""
    chosen = sorted(TERMINAL) if statuses is None else list(dict.fromkeys(statuses))
    wrong = [s for s in chosen if s not in TERMINAL]
    if wrong or not chosen:
        raise PortaflowError(
            f"prune deletes finished runs only: --status is one of {', '.join(sorted(TERMINAL))}, not "
            f"{', '.join(wrong) or 'nothing'}"
        )
    return chosen


def prune(
    store: Store, before: float, statuses: Iterable[str] | None, *, dry_run: bool, batch: int = BATCH
) -> int:
    """Delete (``dry_run``: count) the finished runs in ``statuses`` that finished before ``before``."""
    chosen = finished_statuses(statuses)
    if dry_run:
        return store.count_finished(chosen, before)
    deleted = 0
    while True:
        n = store.delete_finished(chosen, before, batch)
        deleted += n
        if n < batch:
            return deleted
