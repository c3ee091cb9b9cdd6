"""Several worker processes on one database: every run completes exactly once.

Three ``portaflow worker --drain`` processes start together on fifty submitted runs; each exits once it
finds nothing it may take (a run leased by a live worker is not runnable for the others), so some finish
before the rest, and one more drain afterwards finds nothing left. No worker dies, so the audit is exact:

* every run completed with its expected output, and its log holds one ``run_completed`` and one
  ``step_completed`` per step position (nothing recorded twice, by any worker);
* every step was executed by one process, exactly as many times as its recorded attempt number (a flaky
  step's failed attempts included), and never after its result was recorded;
* each effect was made once per idempotency key and equals the recorded result;
* no run was taken over (no worker lost or stole a lease), and the work was shared by several workers.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from portaflow.local_engine import Engine

from . import harness, workload

RUNS = 50
WORKERS = 3
WIDTH = 3


def test_every_run_completes_exactly_once_with_several_workers(tmp_path: Path) -> None:
    workload.prepare(tmp_path)
    started = time.monotonic()
    engine = Engine(tmp_path / workload.DB_NAME)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        runs = harness.submit(engine, list(range(1, RUNS + 1)), WIDTH)
        workers = [harness.start_worker(tmp_path, f"worker-{i}", drain=True) for i in range(WORKERS)]
        for i, proc in enumerate(workers):
            name = f"worker-{i}"
            try:
                code = proc.wait(timeout=harness.DRAIN_TIMEOUT)
            except subprocess.TimeoutExpired:
                raise AssertionError(f"{name} did not drain:\n{harness.worker_log(tmp_path, name)}") from None
            assert code == 0, f"{name} exited with {code}:\n{harness.worker_log(tmp_path, name)}"
        harness.drain(tmp_path, "final-drain")
        stats, problems = harness.audit(engine, tmp_path, runs, killed=set(), exact=True)
    finally:
        for proc in workers:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        engine.close()

    report = harness.summary(stats, f"; {time.monotonic() - started:.1f}s")
    print(report)
    assert not problems, "\n".join(problems[:40])
    assert stats.recoveries == 0, f"a run was taken over although no worker died: {report}"
    assert len(stats.workers) >= 2, f"the workers did not share the runs: {report}"
