"""Workflows for the crash and multi-worker tests, loaded by worker processes from this file.

Every step performs a *side effect keyed by its idempotency key*, the way a payment API with idempotency
keys does: the effect is a file ``effects/<key>`` created atomically and only if absent, so a step run
again with the same key finds the effect already made and returns the same answer instead of repeating it.

Every step execution also appends a line to ``marks.log`` (one ``write(2)`` with ``O_APPEND``: a SIGKILL
cannot lose a write that returned, and concurrent appends from several processes do not interleave):

* ``start``  -- an execution began; it carries the worker's name and whether the step's result was already
  recorded in the run's event log when it began (read from the database before doing anything). That flag
  is the direct witness of the engine's promise that a recorded step is never executed again.
* ``effect`` -- this execution made the effect (``reused``: it found the effect made by an earlier one);
* ``fail``   -- the execution raised a transient error (the retry policy will try again).

This module must not use relative imports: workers load it by file path under a name of their own.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from portaflow import Context, RetryPolicy, step, workflow

CRASH_DIR_ENV = "PORTAFLOW_CRASH_DIR"
WORKER_ENV = "PORTAFLOW_CRASH_WORKER"  # the name the test gave the worker process (pids can be reused)
DB_NAME = "runs.db"
MARKS_NAME = "marks.log"
EFFECTS_DIR = "effects"
COUNTERS_DIR = "counters"
FLAKY_FAILURES = 2  # a flaky step fails its first two executions per key, then succeeds

FAST_RETRY = RetryPolicy(max_attempts=3, initial_interval="10ms", backoff=2.0, max_interval="20ms")
FLAKY_RETRY = RetryPolicy(max_attempts=6, initial_interval="10ms", backoff=2.0, max_interval="40ms")


class TransientError(Exception):
    """A failure that goes away when the step is retried."""


# ----- the side-effect machinery ---------------------------------------------------------------------


def crash_dir() -> Path:
    value = os.environ.get(CRASH_DIR_ENV)
    if not value:
        raise RuntimeError(f"set {CRASH_DIR_ENV} to the folder of the crash test's files")
    return Path(value)


def prepare(folder: Path) -> None:
    """Create the folders the steps write into."""
    (folder / EFFECTS_DIR).mkdir(parents=True, exist_ok=True)
    (folder / COUNTERS_DIR).mkdir(parents=True, exist_ok=True)


def _append(path: Path, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def _mark(kind: str, key: str, **fields: Any) -> None:
    worker = os.environ.get(WORKER_ENV, f"pid-{os.getpid()}")
    record = {"mark": kind, "key": key, "worker": worker, **fields}
    _append(crash_dir() / MARKS_NAME, json.dumps(record, separators=(",", ":")) + "\n")


def _already_recorded(key: str) -> bool:
    """Whether the run's log already holds the result of the step with this idempotency key."""
    run_id, _, path = key.rpartition(":")
    uri = f"file:{crash_dir() / DB_NAME}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=60.0)
    try:
        row = conn.execute(
            "SELECT count(*) FROM events WHERE run_id = ? AND key = ? AND kind = 'step_completed'",
            (run_id, path),
        ).fetchone()
    finally:
        conn.close()
    return bool(row[0])


def effect_path(folder: Path, key: str) -> Path:
    return folder / EFFECTS_DIR / key


def _effect(key: str, result: Any) -> Any:
    """Make the effect for ``key`` unless it exists; return the effect's value (the first one made)."""
    final = effect_path(crash_dir(), key)
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(result), encoding="utf-8")
    try:
        os.link(tmp, final)  # atomic, and fails if the effect was already made under this key
    except FileExistsError:
        _mark("effect", key, reused=True)
        return json.loads(final.read_text(encoding="utf-8"))
    finally:
        tmp.unlink()
    _mark("effect", key, reused=False)
    return result


def _begin(key: str) -> None:
    if not key:
        raise RuntimeError("the engine did not inject an idempotency key")
    _mark("start", key, recorded=_already_recorded(key))


def _fails_transiently(key: str) -> bool:
    """True for the first FLAKY_FAILURES executions under this key (a counter file survives crashes)."""
    counter = crash_dir() / COUNTERS_DIR / key
    _append(counter, ".")
    return counter.stat().st_size <= FLAKY_FAILURES


# ----- pure functions: what each step's result must be ------------------------------------------------


def fetch_value(n: int) -> dict[str, int]:
    return {"n": n, "cube": n**3}


def flaky_value(n: int) -> int:
    return 7 * n + 1


def square_value(x: int) -> int:
    return x * x


def stamp_value(token: str, n: int) -> str:
    return f"{token}/{n}"


def combine_value(parts: list[Any]) -> str:
    return json.dumps(parts, sort_keys=True, separators=(",", ":"))


def expected_output(seed: int, width: int, token: str) -> dict[str, Any]:
    """The output of ``pipeline`` for this input, given the uuid the run recorded."""
    first = fetch_value(seed)
    second = flaky_value(seed)
    squares = [square_value(x) for x in range(seed, seed + width)]
    left, right = fetch_value(seed + 100), flaky_value(seed + 200)
    stamped = stamp_value(token, seed)
    return {
        "seed": seed,
        "token": token,
        "squares": squares,
        "summary": combine_value([first, second, squares, left, right, stamped]),
    }


# ----- steps (the engine injects ``idempotency_key``; the default only keeps type checkers quiet) ----------


@step(retry=FAST_RETRY)
def fetch(n: int, idempotency_key: str = "") -> dict[str, int]:
    _begin(idempotency_key)
    value: dict[str, int] = _effect(idempotency_key, fetch_value(n))
    return value


@step(retry=FLAKY_RETRY)
def flaky(n: int, idempotency_key: str = "") -> int:
    _begin(idempotency_key)
    if _fails_transiently(idempotency_key):
        _mark("fail", idempotency_key)
        raise TransientError(f"flaky({n}) is not ready yet")
    value: int = _effect(idempotency_key, flaky_value(n))
    return value


@step(retry=FAST_RETRY)
def square(x: int, idempotency_key: str = "") -> int:
    _begin(idempotency_key)
    value: int = _effect(idempotency_key, square_value(x))
    return value


@step(retry=FAST_RETRY, timeout="20s")
def stamp(token: str, n: int, idempotency_key: str = "") -> str:
    _begin(idempotency_key)
    value: str = _effect(idempotency_key, stamp_value(token, n))
    return value


@step(retry=FAST_RETRY)
def combine(parts: list[Any], idempotency_key: str = "") -> str:
    _begin(idempotency_key)
    value: str = _effect(idempotency_key, combine_value(parts))
    return value


# ----- the workflow -------------------------------------------------------------------------------------


@workflow
def pipeline(ctx: Context, seed: int, width: int = 4) -> dict[str, Any]:
    """Steps, a flaky step with retries, a bounded ctx.map, a durable sleep, a recorded uuid, a parallel."""
    first = fetch(seed)
    second = flaky(seed)
    squares = ctx.map(square, list(range(seed, seed + width)), max_concurrency=2)
    ctx.sleep("50ms")
    token = str(ctx.uuid4())
    left, right = ctx.parallel(lambda: fetch(seed + 100), lambda: flaky(seed + 200))
    stamped = stamp(token, seed)
    summary = combine([first, second, squares, left, right, stamped])
    return {"seed": seed, "token": token, "squares": squares, "summary": summary}


def step_paths(width: int) -> set[str]:
    """The position of every step of a ``pipeline`` run (the tail of its idempotency keys)."""
    return {"0", "1", *(f"2.{i}" for i in range(width)), "3.0.0", "3.1.0", "4", "5"}


FLAKY_PATHS = frozenset({"1", "3.1.0"})
