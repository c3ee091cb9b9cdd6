"""Workers SIGKILLed at random points while runs execute: every run still completes exactly as specified.

What a kill can and cannot do, and so what this test checks (``harness.audit``):

* A step may be interrupted at any point: before its effect, after its effect but before its result is
  committed, or while its result is being committed. Such a step is *legitimately* executed again by the
  worker that takes the run over (at-least-once), under the same idempotency key; the key is what makes the
  external effect happen once. So the test does not count executions naively. It checks:

  1. every run completes, once (one ``run_completed``), with the output its input determines (and the
     uuid the run recorded: replay after a crash must return the recorded value, not a new one);
  2. every step position has exactly one ``step_completed`` in the log, and each timer and recorded value
     exactly one event: nothing was recorded twice;
  3. no step was executed after its result was recorded: each execution reads the run's log before doing
     anything, and a ``start`` mark that saw its own result already committed fails the test. This is a
     direct witness, not an inference from counts: a worker that takes a run over loads the log after
     winning the lease, and a killed worker executes nothing more, so a sound engine never produces one;
  4. each effect was made at most once per key (created atomically only if absent, and each creation is
     marked), it exists for every completed step, and the recorded result equals the effect;
  5. every execution of a step is accounted for: executions <= recorded attempt number + the number of
     killed workers that started it (each kill interrupts at most one execution of a given step), and at
     most one surviving worker executed it.

One or two workers run at a time; a kill hits one of them at a random moment drawn from a seeded
``random.Random``: some at a random delay after a worker starts (start-up, claiming, replaying), most
after the step marks grew by a random amount (inside steps, between an effect and its commit, in retries,
sleeps, ``ctx.map`` and ``ctx.parallel``). A surviving worker takes the victim's runs over while it runs.
Set ``PORTAFLOW_CRASH_SEED`` to replay a failing seed and ``PORTAFLOW_CRASH_ITERATIONS`` for more kills.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from portaflow.local_engine import Engine

from . import harness, workload

ITERATIONS = max(20, int(os.environ.get("PORTAFLOW_CRASH_ITERATIONS", "30")))
SEED = int(os.environ.get("PORTAFLOW_CRASH_SEED") or random.SystemRandom().randrange(2**32))
WIDTH = 4  # items of each run's ctx.map
BATCH = 6  # runs submitted whenever fewer than this many are unfinished, so every kill lands mid-work
PROGRESS_WAIT = 10.0  # seconds the workers get to make the progress a kill waits for


Worker = tuple[str, "subprocess.Popen[bytes]"]


def _wait_for_a_random_point(
    workers: list[Worker], marks: Path, rng: random.Random, all_done: Callable[[], bool]
) -> None:
    """Let the workers run to a random point: a random delay, or until the step marks grew at random."""
    running = [proc for _, proc in workers]
    if rng.random() < 0.25:
        deadline = time.monotonic() + rng.uniform(0.05, 0.6)  # often during start-up, claim or replay
        while time.monotonic() < deadline and all(p.poll() is None for p in running):
            time.sleep(0.002)
        return
    start = marks.stat().st_size if marks.exists() else 0
    target = start + rng.randint(1, 3000)  # a mark is ~80 bytes: up to a dozen steps in
    deadline = time.monotonic() + PROGRESS_WAIT
    polls = 0
    while all(p.poll() is None for p in running) and time.monotonic() < deadline:
        if marks.exists() and marks.stat().st_size >= target:
            break
        polls += 1
        if polls % 20 == 0 and all_done():  # every run ended before that much progress: kill now
            break
        time.sleep(0.001)
    if rng.random() < 0.5:  # else at once: likely between a step's effect and the commit of its result
        time.sleep(rng.uniform(0.0, 0.015))


def _kill(folder: Path, worker: Worker) -> str:
    """SIGKILL the worker and reap it; it must not have ended by itself."""
    name, proc = worker
    proc.kill()
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, (
        f"seed {SEED}: {name} ended by itself with {proc.returncode} before it was killed:\n"
        f"{harness.worker_log(folder, name)}"
    )
    return name


def test_runs_survive_workers_killed_at_random_points(tmp_path: Path) -> None:
    """Each iteration tops the workers up to one or two, waits for a random point and kills one of them.

    With two, the survivor keeps running and takes over the victim's runs (a live takeover); with one,
    the next iteration's new worker does. A final ``worker --drain`` finishes whatever is left.
    """
    workload.prepare(tmp_path)
    rng = random.Random(SEED)
    started = time.monotonic()
    marks = tmp_path / workload.MARKS_NAME
    engine = Engine(tmp_path / workload.DB_NAME)
    workers: list[Worker] = []
    try:
        runs: list[harness.Submitted] = []
        killed: set[str] = set()
        next_seed = 1
        for i in range(ITERATIONS):
            unfinished = sum(1 for r in runs if not engine.status(r.run_id).done)
            if unfinished < BATCH:
                runs += harness.submit(engine, list(range(next_seed, next_seed + BATCH)), WIDTH)
                next_seed += BATCH
            wanted = rng.choice((1, 2))
            while len(workers) < wanted:
                name = f"worker-{i}-{len(workers)}"
                workers.append((name, harness.start_worker(tmp_path, name, drain=False)))
            _wait_for_a_random_point(workers, marks, rng, lambda: not engine.list_runs("running"))
            killed.add(_kill(tmp_path, workers.pop(rng.randrange(len(workers)))))
        while workers:
            killed.add(_kill(tmp_path, workers.pop()))

        harness.drain(tmp_path, "final-drain")
        stats, problems = harness.audit(engine, tmp_path, runs, killed, exact=False)
    finally:
        for _, proc in workers:
            proc.kill()
            proc.wait()
        engine.close()

    report = harness.summary(stats, f"; {len(killed)} kills, seed {SEED}, {time.monotonic() - started:.1f}s")
    print(report)
    assert not problems, f"seed {SEED} (PORTAFLOW_CRASH_SEED={SEED} replays it): " + "\n".join(problems[:40])
    assert stats.recoveries > 0, f"seed {SEED}: no kill interrupted a run, so nothing was tested: {report}"
