"""Steps per second of portaflow's local engine next to DBOS on SQLite, in one run, on one disk.

    python benchmarks/engine.py                  # 1,000 and 10,000 steps, 100 events (1-2 minutes)
    python benchmarks/engine.py --quick          # smoke run: a few seconds
    python benchmarks/engine.py --steps 1000,10000 --events 100 --dir /mnt/other-disk

Measured, each system on its own fresh database in one temp folder (default: under the current folder):

* a reference ceiling: plain ``sqlite3``, WAL + ``synchronous=FULL``, one ``BEGIN IMMEDIATE; SELECT;
  INSERT; COMMIT`` per step: about the most one durable commit per step can do on this disk;
* portaflow's local engine, ``durable=True`` (WAL + ``synchronous=FULL``), and ``durable=False``
  (``synchronous=NORMAL``: no fsync per commit) to show its CPU cost alone;
* DBOS (``dbos`` on SQLite) as it ships (rollback journal, ``synchronous=FULL``), and with its file
  switched to WAL beforehand. Not a portaflow dependency: ``pip install 'dbos==3.4.0'`` for the
  benchmark only; without it those rows are skipped. Each DBOS variant runs in a worker process of this
  script (DBOS is a per-process singleton), so all systems stay open and take turns;
* a workflow of N steps that waits for ``--events`` events (sent with ``engine.signal``) next to the same
  workflow without waits: a ratio near 1 means resuming after an event does not replay the log.

Every time is the wall time of a whole run: start, every step, completion. The systems take turns, size
by size, so that load from elsewhere on the machine hits them alike. Sizes up to 1,000 steps are best of
3, larger ones run once (``--repeat`` to change); the sqlite3 ceiling and the waits comparison are
always best of 3. Each system first runs a 10-step warm-up.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from portaflow import Context, step, workflow
from portaflow.local_engine import Engine

DBOS_PIN = "dbos==3.4.0"
TARGET_RATIO = 10.0  # portaflow steps/s over DBOS steps/s
TARGET_WAITS = 2.0  # time with waits over time without
WARMUP_STEPS = 10
SQLITE = "sqlite3, 1 commit/step"
PORTAFLOW = "portaflow local"
PORTAFLOW_NORMAL = "portaflow local, durable=False"
DBOS_SHIPPED = "DBOS (as shipped)"
DBOS_WAL = "DBOS (file set to WAL)"


# ----- the workflows ----------------------------------------------------------------------------------


@step
def noop(i: int) -> int:
    return i


@workflow
def many(ctx: Context, n: int) -> int:
    for i in range(n):
        noop(i)
    return n


@workflow
def many_with_waits(ctx: Context, n: int, events: int) -> int:
    """``n`` steps; before every ``n // events``-th step (``events`` times in all) wait for event "go"."""
    every = max(1, n // events) if events else 0
    for i in range(n):
        if every and i % every == 0 and i // every < events:
            ctx.wait_for_event("go")
        noop(i)
    return n


# ----- the systems ------------------------------------------------------------------------------------


def pragmas(conn: sqlite3.Connection) -> str:
    """The journal mode of the connection's file and the connection's synchronous level."""
    journal = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).upper()
    level = int(conn.execute("PRAGMA synchronous").fetchone()[0])
    return f"{journal}/{ {0: 'OFF', 1: 'NORMAL', 2: 'FULL', 3: 'EXTRA'}[level] }"


class System(Protocol):
    name: str
    journal: str

    def run(self, n: int) -> float:
        """Wall seconds of one workflow run of ``n`` steps, start to completion."""
        ...

    def close(self) -> None: ...


class SqliteCeiling:
    name = SQLITE

    def __init__(self, folder: Path) -> None:
        self.conn = sqlite3.connect(folder / "sqlite-ceiling.db", isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = FULL")
        self.conn.execute(
            "CREATE TABLE steps (run TEXT, seq INTEGER, data TEXT, PRIMARY KEY (run, seq)) WITHOUT ROWID"
        )
        self.journal = pragmas(self.conn)
        self.run(WARMUP_STEPS)

    def run(self, n: int) -> float:
        conn, run_id = self.conn, uuid.uuid4().hex
        started = time.perf_counter()
        for i in range(n):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("SELECT data FROM steps WHERE run = ? AND seq = ?", (run_id, i)).fetchone()
            conn.execute("INSERT INTO steps VALUES (?, ?, ?)", (run_id, i, f'{{"result":{i}}}'))
            conn.execute("COMMIT")
        return time.perf_counter() - started

    def close(self) -> None:
        self.conn.close()


class LocalEngine:
    def __init__(self, folder: Path, durable: bool) -> None:
        path = folder / f"portaflow-{'durable' if durable else 'normal'}.db"
        self.name = PORTAFLOW if durable else PORTAFLOW_NORMAL
        self.engine = Engine(path, durable=durable)
        conn = sqlite3.connect(path)
        conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")  # as the engine sets it
        self.journal = pragmas(conn)
        conn.close()
        self.run(WARMUP_STEPS)

    def run(self, n: int) -> float:
        started = time.perf_counter()
        handle = self.engine.start(many, {"n": n})
        status = handle.status()
        elapsed = time.perf_counter() - started
        if status.status != "completed" or status.output != n:
            raise SystemExit(f"portaflow run {handle.run_id} ended {status.status}: {status.error}")
        return elapsed

    def run_waits(self, n: int, events: int) -> tuple[float, int]:
        """Wall seconds of a run of ``n`` steps that waits ``events`` times, and the events it took."""
        started = time.perf_counter()
        handle = self.engine.start(many_with_waits, {"n": n, "events": events})
        status = handle.status()
        sent = 0
        while status.status == "waiting":
            status = self.engine.signal(handle.run_id, "go", sent)
            sent += 1
        elapsed = time.perf_counter() - started
        if status.status != "completed" or status.output != n:
            raise SystemExit(f"portaflow run {handle.run_id} ended {status.status}: {status.error}")
        return elapsed, sent

    def close(self) -> None:
        self.engine.close()


class DbosWorker:
    """DBOS in a worker process of this script; it reads step counts and answers wall seconds."""

    def __init__(self, folder: Path, wal: bool) -> None:
        self.name = DBOS_WAL if wal else DBOS_SHIPPED
        path = folder / f"dbos-{'wal' if wal else 'shipped'}.sqlite"
        if wal:
            conn = sqlite3.connect(path)
            conn.execute("PRAGMA journal_mode = WAL")  # stored in the file: DBOS's connections inherit it
            conn.close()
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--dbos-worker", str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.journal = "?"

    def ready(self) -> None:
        """Wait for the worker to have launched DBOS; it answers with its pragmas."""
        self.journal = self._answer()

    def _answer(self) -> str:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"the DBOS worker exited with code {self.proc.wait()} (its error is above)")
        return line.strip()

    def run(self, n: int) -> float:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{n}\n")
        self.proc.stdin.flush()
        return float(self._answer())

    def stop(self) -> None:
        """Tell the worker to shut DBOS down (which takes it about a second); ``close`` waits for it."""
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()

    def close(self) -> None:
        self.stop()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def dbos_worker(path: Path, requests: IO[str], answers: IO[str]) -> int:
    """The worker process's side of DbosWorker."""
    from dbos import DBOS, SetWorkflowID

    @DBOS.step()
    def dbos_noop(i: int) -> int:
        return i

    @DBOS.workflow()
    def dbos_many(n: int) -> int:
        for i in range(n):
            dbos_noop(i)
        return n

    def run(n: int) -> float:
        wid = f"bench-{uuid.uuid4().hex}"
        started = time.perf_counter()
        with SetWorkflowID(wid):
            result = dbos_many(n)
        elapsed = time.perf_counter() - started
        status = DBOS.get_workflow_status(wid)
        if result != n or status is None or status.status != "SUCCESS":
            raise SystemExit(f"DBOS workflow {wid} ended {status and status.status}")
        return elapsed

    DBOS(
        config={"name": "portaflow-bench", "system_database_url": f"sqlite:///{path}", "log_level": "WARNING"}
    )
    try:
        DBOS.launch()
        run(WARMUP_STEPS)
        conn = sqlite3.connect(path)  # DBOS sets no pragma but busy_timeout: a fresh connection's defaults
        print(pragmas(conn), file=answers, flush=True)
        conn.close()
        for line in requests:
            print(f"{run(int(line)):.6f}", file=answers, flush=True)
    finally:
        DBOS.destroy()
    return 0


# ----- running ----------------------------------------------------------------------------------------


@dataclass
class Row:
    system: str
    journal: str
    steps: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.steps / self.seconds


def measure(systems: list[System], sizes: list[int], repeats: dict[int, int]) -> list[Row]:
    """Best time per system and size; in each round every system runs once, the first one rotating."""
    rows = []
    for n in sizes:
        best: dict[str, float] = {}
        for r in range(max(3, repeats[n])):
            for k in range(len(systems)):
                system = systems[(r + k) % len(systems)]
                if r < repeats[n] or system.name == SQLITE:
                    seconds = system.run(n)
                    best[system.name] = min(seconds, best.get(system.name, seconds))
        rows += [Row(s.name, s.journal, n, best[s.name]) for s in systems]
    return rows


def measure_waits(engine: LocalEngine, sizes: list[int], events: int) -> list[tuple[int, int, float, float]]:
    """(steps, events taken, seconds without waits, seconds with waits), each the best of 3 interleaved."""
    out = []
    for n in sizes:
        plain, waits = [], []
        for _ in range(3):
            plain.append(engine.run_waits(n, 0)[0])
            waits.append(engine.run_waits(n, events))
        out.append((n, waits[0][1], min(plain), min(t for t, _ in waits)))
    return out


def portaflow_revision() -> str:
    """``git describe`` of the checkout portaflow was imported from, if it is one."""
    import portaflow

    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=Path(portaflow.__file__).parent,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


def io_pressure() -> str:
    """Linux's share of the last 10 s in which some task waited for I/O (other work on the disk)."""
    try:
        first = Path("/proc/pressure/io").read_text().split("\n")[0]
    except OSError:
        return ""
    fields = dict(part.split("=", 1) for part in first.split()[1:])
    return f", I/O pressure {fields.get('avg10', '?')}%"


def dbos_version() -> str | None:
    try:
        return importlib.metadata.version("dbos")
    except importlib.metadata.PackageNotFoundError:
        return None


# ----- report -----------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(rows: list[Row], sizes: list[int], waits: list[tuple[int, int, float, float]]) -> None:
    print(f"{'system':<34} {'journal/sync':<14} {'steps':>7} {'wall s':>8} {'ms/step':>8} {'steps/s':>9}")
    for n in sizes:
        for r in (r for r in rows if r.steps == n):
            print(
                f"{r.system:<34} {r.journal:<14} {r.steps:>7,} {r.seconds:>8.3f} "
                f"{1000 * r.seconds / r.steps:>8.3f} {r.rate:>9,.0f}"
            )
        print()
    by = {(r.system, r.steps): r for r in rows}
    print(f"{'portaflow local (WAL/FULL) vs':<34} {'steps':>7} {'sqlite3':>8} {'DBOS':>7} {'DBOS WAL':>9}")
    for n in sizes:
        rate = by[(PORTAFLOW, n)].rate
        cells = [f"{rate / by[(SQLITE, n)].rate:>8.0%}"]
        for system, width in ((DBOS_SHIPPED, 7), (DBOS_WAL, 9)):
            other = by.get((system, n))
            cells.append(f"{'-' if other is None else f'{rate / other.rate:.1f}x':>{width}}")
        line = f"{'':<34} {n:>7,} {' '.join(cells)}"
        if (DBOS_SHIPPED, n) in by:
            ok = rate / by[(DBOS_SHIPPED, n)].rate >= TARGET_RATIO
            line += f"  target >= {TARGET_RATIO:.0f}x DBOS: {verdict(ok)}"
        print(line)
    print()
    head = f"{'steps':>7} {'events':>7} {'no waits s':>11} {'waits s':>9} {'ratio':>6}"
    print(f"{'portaflow local (WAL/FULL) waits':<34} {head}")
    for n, events, plain, with_waits in waits:
        ratio = with_waits / plain
        print(
            f"{'':<34} {n:>7,} {events:>7} {plain:>11.3f} {with_waits:>9.3f} {ratio:>5.2f}x"
            f"  target < {TARGET_WAITS:.0f}x: {verdict(ratio < TARGET_WAITS)}"
        )


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--steps wants comma-separated integers, not {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("--steps wants positive integers")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--steps", type=parse_sizes, default=None, help="workflow sizes (default 1000,10000)")
    parser.add_argument(
        "--events", type=int, default=None, help="events the waiting workflow takes (default 100)"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 100 and 300 steps, 5 events, once")
    parser.add_argument(
        "--repeat", type=int, default=None, help="best of R runs (default 3 up to 1,000 steps, else 1)"
    )
    parser.add_argument(
        "--dir", type=Path, default=Path("."), help="parent of the temp folder (default: here)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--no-dbos", action="store_true", help="skip DBOS even if installed")
    parser.add_argument("--dbos-worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.dbos_worker is not None:
        return dbos_worker(args.dbos_worker, sys.stdin, sys.stdout)
    sizes = args.steps or ([100, 300] if args.quick else [1000, 10000])
    events = args.events if args.events is not None else (5 if args.quick else 100)
    if events < 0:
        parser.error("--events must be >= 0")
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be >= 1")
    repeats = {n: args.repeat or (3 if n <= 1000 and not args.quick else 1) for n in sizes}

    args.dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".portaflow-bench-", dir=args.dir)).resolve()
    version = dbos_version()
    print(
        f"portaflow {portaflow_revision()}, python {platform.python_version()},"
        f" sqlite {sqlite3.sqlite_version}, dbos {version or 'not installed'}; {os.cpu_count()} CPUs,"
        f" load {os.getloadavg()[0]:.2f}{io_pressure()}"
    )
    print(f"databases in {folder}")
    sizes_text = ", ".join(f"{n:,} (best of {repeats[n]})" for n in sizes)
    print(f"steps: {sizes_text}; events: {events}")
    if args.no_dbos:
        print("DBOS skipped (--no-dbos).")
    elif version is None:
        print(
            "DBOS skipped: the dbos package is not installed. For the comparison, install it for the"
            f" benchmark only (e.g. in a virtual environment): pip install '{DBOS_PIN}'"
        )
    elif version != DBOS_PIN.split("==")[1]:
        print(f"note: dbos {version} is installed; the figures in docs/performance.md used {DBOS_PIN}")
    print(flush=True)
    systems: list[System] = []
    try:
        systems.append(SqliteCeiling(folder))
        systems.append(LocalEngine(folder, durable=True))
        systems.append(LocalEngine(folder, durable=False))
        workers = []
        if version is not None and not args.no_dbos:
            workers = [DbosWorker(folder, wal=False), DbosWorker(folder, wal=True)]  # start side by side
            systems += workers
            for worker in workers:
                worker.ready()
        rows = measure(systems, sizes, repeats)
        for worker in workers:
            worker.stop()  # they shut down while the waits run
        local = systems[1]
        assert isinstance(local, LocalEngine)
        waits = measure_waits(local, sizes, events)
        report(rows, sizes, waits)
        if args.quick:
            print("\n(--quick: small sizes, single runs: a smoke test; the verdicts mean little here)")
    finally:
        for system in systems:
            system.close()
        if args.keep:
            print(f"\ndatabases kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
