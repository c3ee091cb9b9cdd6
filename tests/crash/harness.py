"""Shared machinery of the crash tests: worker processes, the step marks, and the end-of-test audit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portaflow.local_engine import Engine

from . import workload

REPO_ROOT = Path(__file__).resolve().parents[2]
DRAIN_TIMEOUT = 120.0  # seconds; a drain that takes longer is a hang, not slowness


@dataclass(frozen=True)
class Submitted:
    run_id: str
    seed: int
    width: int


def worker_env(folder: Path, name: str) -> dict[str, str]:
    env = dict(os.environ)
    env[workload.CRASH_DIR_ENV] = str(folder)
    env[workload.WORKER_ENV] = name
    env.pop("PORTAFLOW_DB", None)
    # the workers import this checkout of portaflow even where it is not installed (editable)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def start_worker(folder: Path, name: str, *, drain: bool, concurrency: int = 4) -> subprocess.Popen[bytes]:
    """A ``portaflow worker`` process on the test's database; its stderr goes to ``<name>.log``."""
    cmd = [
        sys.executable,
        "-m",
        "portaflow",
        "worker",
        "--db",
        str(folder / workload.DB_NAME),
        "--concurrency",
        str(concurrency),
    ]
    if drain:
        cmd.append("--drain")
    with open(folder / f"{name}.log", "wb") as log:
        return subprocess.Popen(
            cmd, cwd=folder, env=worker_env(folder, name), stdout=log, stderr=subprocess.STDOUT
        )


def worker_log(folder: Path, name: str) -> str:
    return (folder / f"{name}.log").read_text(encoding="utf-8", errors="replace")[-3000:]


def drain(folder: Path, name: str, concurrency: int = 4) -> None:
    """Run ``portaflow worker --drain`` to its end and require a clean exit."""
    proc = start_worker(folder, name, drain=True, concurrency=concurrency)
    try:
        code = proc.wait(timeout=DRAIN_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(
            f"{name} did not drain in {DRAIN_TIMEOUT}s:\n{worker_log(folder, name)}"
        ) from None
    assert code == 0, f"{name} exited with {code}:\n{worker_log(folder, name)}"


def submit(engine: Engine, seeds: list[int], width: int) -> list[Submitted]:
    return [
        Submitted(engine.submit(workload.pipeline, {"seed": s, "width": width}).run_id, s, width)
        for s in seeds
    ]


def read_marks(folder: Path) -> list[dict[str, Any]]:
    path = folder / workload.MARKS_NAME
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@dataclass
class Audit:
    """What the audit saw, for the test's summary line."""

    runs: int = 0
    steps: int = 0
    executions: int = 0
    reexecuted: int = 0  # interrupted executions run again under the same key
    effects_reused: int = 0  # re-executions that found their effect already made
    recoveries: int = 0  # run_recovered events: a run taken over from a dead worker
    workers: set[str] = field(default_factory=set)


def audit(
    engine: Engine, folder: Path, runs: list[Submitted], killed: set[str], *, exact: bool
) -> tuple[Audit, list[str]]:
    """Check every run against its history, the step marks and the effects; return the problems found.

    ``killed`` holds the names of the workers the test SIGKILLed. With ``exact`` (no worker was killed)
    every step must have been executed exactly as many times as its recorded attempt number, by one
    process.
    """
    problems: list[str] = []
    stats = Audit(runs=len(runs))
    marks_by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for mark in read_marks(folder):
        marks_by_key[mark["key"]].append(mark)
    completed_keys: set[str] = set()

    for run in runs:
        where = f"run {run.run_id} (seed {run.seed})"
        events = engine.history(run.run_id)
        kinds = Counter(e.kind for e in events)
        stats.recoveries += kinds["run_recovered"]

        # (a) the run completed once, with the output its input and its recorded uuid determine
        status = engine.status(run.run_id)
        if status.status != "completed":
            problems.append(f"{where}: status {status.status} ({status.error})")
            continue
        if kinds["run_completed"] != 1 or events[-1].kind != "run_completed":
            problems.append(
                f"{where}: {kinds['run_completed']} run_completed events, last is {events[-1].kind}"
            )
        uuids = [e.data["value"] for e in events if e.kind == "value_recorded" and e.data["kind"] == "uuid4"]
        if len(uuids) != 1:
            problems.append(f"{where}: {len(uuids)} recorded uuids")
            continue
        expected = workload.expected_output(run.seed, run.width, uuids[0])
        if status.output != expected:
            problems.append(f"{where}: output {status.output!r}, expected {expected!r}")

        # nothing recorded twice: one result per step position, one start and one firing per timer
        done = Counter(e.key for e in events if e.kind == "step_completed")
        if set(done) != workload.step_paths(run.width) or any(n != 1 for n in done.values()):
            problems.append(f"{where}: step_completed per position {dict(done)}")
        for kind in ("timer_started", "timer_fired", "value_recorded"):
            if kinds[kind] != 1:
                problems.append(f"{where}: {kinds[kind]} {kind} events")
        if kinds["step_failed"]:
            problems.append(f"{where}: {kinds['step_failed']} step_failed events")

        results = {e.key: e.data for e in events if e.kind == "step_completed"}
        for path, data in sorted(results.items()):
            key = f"{run.run_id}:{path}"
            completed_keys.add(key)
            stats.steps += 1
            problems.extend(_audit_step(folder, key, data, marks_by_key.get(key, []), killed, exact, stats))

    # an effect or an execution under a key no completed step owns would be a step the log lost
    for orphan in sorted(set(marks_by_key) - completed_keys):
        problems.append(f"{orphan}: executed but no run recorded its result: {marks_by_key[orphan]}")
    made = {p.name for p in (folder / workload.EFFECTS_DIR).iterdir() if not p.name.startswith(".")}
    for orphan in sorted(made - completed_keys):
        problems.append(f"{orphan}: an effect was made for a key no run recorded")
    return stats, problems


def _audit_step(
    folder: Path,
    key: str,
    data: dict[str, Any],
    marks: list[dict[str, Any]],
    killed: set[str],
    exact: bool,
    stats: Audit,
) -> list[str]:
    problems: list[str] = []
    if data.get("idempotency_key") != key:
        problems.append(f"{key}: recorded with idempotency key {data.get('idempotency_key')!r}")

    # the effect happened, once, and the workflow got the effect's value
    effect = workload.effect_path(folder, key)
    if not effect.exists():
        return [*problems, f"{key}: step completed but its effect was never made"]
    made = json.loads(effect.read_text(encoding="utf-8"))
    if made != data["result"]:
        problems.append(f"{key}: recorded result {data['result']!r} differs from its effect {made!r}")
    creations = [m for m in marks if m["mark"] == "effect" and not m["reused"]]
    if len(creations) > 1:
        problems.append(f"{key}: effect made {len(creations)} times: {creations}")
    stats.effects_reused += sum(1 for m in marks if m["mark"] == "effect" and m["reused"])

    # never executed once its result was recorded
    starts = [m for m in marks if m["mark"] == "start"]
    stats.executions += len(starts)
    stats.workers.update(m["worker"] for m in starts)
    late = [m for m in starts if m["recorded"]]
    if late:
        problems.append(f"{key}: executed again after its result was recorded: {late}")

    # every execution is a recorded attempt, or one interrupted by a kill (at most one per killed worker)
    attempts = int(data["attempt"])
    starters = {m["worker"] for m in starts}
    survivors = starters - killed
    killed_starters = starters & killed
    stats.reexecuted += max(0, len(starts) - attempts)
    if len(survivors) > 1:
        problems.append(f"{key}: executed by several live workers {sorted(survivors)}")
    if exact and (len(starts) != attempts or len(starters) != 1):
        problems.append(f"{key}: {len(starts)} executions by {sorted(starters)} for {attempts} attempt(s)")
    if len(starts) > attempts + len(killed_starters):
        problems.append(
            f"{key}: {len(starts)} executions for {attempts} recorded attempt(s) and "
            f"{len(killed_starters)} killed worker(s) that started it"
        )
    return problems


def summary(stats: Audit, extra: str = "") -> str:
    return (
        f"{stats.runs} runs, {stats.steps} steps, {stats.executions} step executions by {len(stats.workers)} "
        f"workers, {stats.recoveries} recoveries, {stats.reexecuted} interrupted executions re-run, "
        f"{stats.effects_reused} found their effect made{extra}"
    )
