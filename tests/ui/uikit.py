"""What the dashboard's tests share: databases written by real runs of `flows.py`, the app under
Starlette's TestClient, `portaflow ui` and `portaflow worker` as real processes (conftest.py has the
fixtures: the database, one headless Chromium for the session, the screenshots' folder)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from portaflow.local_engine import Engine, load_target
from portaflow.ui.app import create_app
from portaflow.ui.security import Guard, allowed_hosts

HERE = Path(__file__).resolve().parent
FLOWS = HERE / "flows.py"
CHROMIUM = Path("/usr/bin/chromium")
# without the background-networking flags, Chromium's own connections fail on a closed network and
# slow every page; --headless: no display
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def flow(name: str) -> Any:
    return load_target(f"{FLOWS}:{name}")


def start(db: Path | str, name: str, run_id: str, data: dict[str, Any] | None = None) -> None:
    """Start a run of ``flows.name`` and execute it until it ends or waits, as `portaflow run` does."""
    with Engine(db) as engine:
        engine.submit(flow(name), data or {}, run_id=run_id)
        engine.execute(run_id)


def waiting_refunds(db: Path | str, *run_ids: str) -> None:
    for run_id in run_ids:
        start(db, "refund", run_id, {"order_id": f"O-{run_id}"})


def client(db: Path | str, *, token: str | None = None, host: str = "127.0.0.1") -> TestClient:
    guard = Guard(allowed_hosts(host), token, 8233)
    return TestClient(create_app(str(db), guard), base_url="http://127.0.0.1:8233", follow_redirects=False)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


# ----- real processes ---------------------------------------------------------------------------------


def _portaflow(*args: str) -> list[str]:
    return [sys.executable, "-m", "portaflow", *args]


@contextmanager
def ui_process(
    db: Path | str, *extra: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, str | None, subprocess.Popen[str]]]:
    """`portaflow ui --port 0` on ``db``: its URL and token, read from its first line, and the process."""
    proc = subprocess.Popen(
        _portaflow("ui", "--db", str(db), "--port", "0", *extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        found = re.search(r"(http://\S+?/)(?:\?token=(\S+))?(\s|$)", line)
        assert found, f"portaflow ui printed {line!r}; stderr: {proc.stderr.read() if proc.stderr else ''}"
        yield found.group(1), found.group(2), proc
    finally:
        if proc.poll() is None:
            proc.send_signal(2)  # Ctrl-C
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def worker_process(db: Path | str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[str]]:
    """`portaflow worker` on ``db``: continues the runs the dashboard answers."""
    proc = subprocess.Popen(
        _portaflow("worker", "--db", str(db), "-q"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        yield proc
    finally:
        proc.send_signal(2)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_for(predicate: Any, timeout: float = 20.0, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
