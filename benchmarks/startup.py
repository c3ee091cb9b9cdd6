"""Whole-process times of the `portaflow` command next to `python -c pass`, and of a 3,000-step run next to
DBOS doing the same steps as a whole process, in one run on one machine.

    python benchmarks/startup.py                 # 15 runs each (best and median), 3,000 steps
    python benchmarks/startup.py --quick         # 3 runs each, 300 steps
    /tmp/dbos-venv/bin/python benchmarks/startup.py   # with DBOS installed (see benchmarks/README.md)

What a user waits for is a whole process: interpreter start, imports, the work, exit. Measured:

* ``python -c pass``: the floor every Python command pays;
* ``portaflow --help``, and ``portaflow status RUN`` on a database holding one finished run: neither imports
  libcst, the linter or any backend (tests/test_startup.py asserts which modules ``status`` loads);
* ``portaflow run FILE:many --input '{"n": N}'`` on a fresh database (WAL + synchronous=FULL: one durable
  commit per step), next to ``python dbos_many.py N``: DBOS 3.4.0 on SQLite, as it ships, launching, running
  the same N-step workflow and exiting. Without ``dbos`` importable that row is skipped.

The commands take turns, round by round, so load from elsewhere hits them alike; each figure is the best of
the rounds (the median is printed beside it). Targets (issue 8): ``--help`` within 3x of ``python -c pass``,
``status`` within 5x, ``run`` at least 10x DBOS's speed as whole processes.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOW = """
from portaflow import Context, step, workflow


@step
def noop(i: int) -> int:
    return i


@workflow
def many(ctx: Context, n: int) -> int:
    for i in range(n):
        noop(i)
    return n
"""

DBOS_FLOW = """
import sys
import uuid

from dbos import DBOS, SetWorkflowID

URL = "sqlite:///" + sys.argv[2]
DBOS(config={"name": "startup-bench", "system_database_url": URL, "log_level": "WARNING"})


@DBOS.step()
def noop(i: int) -> int:
    return i


@DBOS.workflow()
def many(n: int) -> int:
    for i in range(n):
        noop(i)
    return n


DBOS.launch()
with SetWorkflowID(uuid.uuid4().hex):
    assert many(int(sys.argv[1])) == int(sys.argv[1])
DBOS.destroy()
"""


def portaflow_command() -> list[str]:
    """The console script users run (``portaflow``), next to this Python; else ``python -m portaflow``."""
    script = Path(sys.executable).with_name("portaflow")
    if script.exists():
        return [str(script)]
    found = shutil.which("portaflow")
    return [found] if found else [sys.executable, "-m", "portaflow"]


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    r = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if r.returncode not in (0,):
        raise SystemExit(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()[-300:]}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--quick", action="store_true", help="3 rounds, 300 steps")
    args = ap.parse_args()
    rounds, steps = (3, 300) if args.quick else (args.rounds, args.steps)
    pf = portaflow_command()
    has_dbos = importlib.util.find_spec("dbos") is not None
    with tempfile.TemporaryDirectory(prefix="pf-startup-", dir=".") as tmp:
        folder = Path(tmp).resolve()
        (folder / "flow.py").write_text(FLOW)
        (folder / "dbos_many.py").write_text(DBOS_FLOW)
        env = {**os.environ, "PORTAFLOW_DB": str(folder / "status.db")}
        subprocess.run(
            [*pf, "run", "flow.py:many", "--input", '{"n": 1}', "--run-id", "r1", "-q"],
            env=env,
            cwd=folder,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        counter = iter(range(1_000_000))

        def run_cmd() -> list[str]:
            db = folder / f"run-{next(counter)}.db"
            return [*pf, "run", "flow.py:many", "--input", f'{{"n": {steps}}}', "-q", "--db", str(db)]

        def dbos_cmd() -> list[str]:
            return [sys.executable, "dbos_many.py", str(steps), str(folder / f"dbos-{next(counter)}.db")]

        commands = {
            "python -c pass": lambda: [sys.executable, "-c", "pass"],
            "portaflow --help": lambda: [*pf, "--help"],
            "portaflow status r1": lambda: [*pf, "status", "r1"],
            f"portaflow run, {steps:,} steps": run_cmd,
        }
        if has_dbos:
            commands[f"DBOS, {steps:,} steps"] = dbos_cmd
        times: dict[str, list[float]] = {name: [] for name in commands}
        for r in range(rounds):
            names = list(commands)
            for k in range(len(names)):
                name = names[(r + k) % len(names)]
                times[name].append(timed(commands[name](), env, folder))
    best = {name: min(ts) for name, ts in times.items()}
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; "
        f"{rounds} rounds; command: {' '.join(pf)}"
    )
    print(f"{'command':<28} {'best s':>8} {'median s':>9}")
    for name, ts in times.items():
        print(f"{name:<28} {best[name]:8.3f} {statistics.median(ts):9.3f}")
    floor = best["python -c pass"]
    print()
    print(f"portaflow --help / python -c pass:   {best['portaflow --help'] / floor:5.2f}x  (target <= 3x)")
    print(f"portaflow status / python -c pass:   {best['portaflow status r1'] / floor:5.2f}x  (target <= 5x)")
    run_name = f"portaflow run, {steps:,} steps"
    if has_dbos:
        ratio = best[f"DBOS, {steps:,} steps"] / best[run_name]
        print(f"portaflow run speed / DBOS's:        {ratio:5.2f}x  (target >= 10x, whole processes)")
    else:
        print("DBOS not importable: the run comparison is skipped (see benchmarks/README.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
