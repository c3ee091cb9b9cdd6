"""`portaflow ui` as a command: what it prints, how it stops, and one line for each way it cannot start."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from uikit import ui_process, waiting_refunds

from portaflow.local_engine import Engine


def portaflow(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "portaflow", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


def status_of(url: str, **headers: str) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_it_prints_its_url_serves_and_stops_on_ctrl_c_with_a_live_page_open(db: Path) -> None:
    waiting_refunds(db, "R-1")
    with ui_process(db) as (url, token, proc):
        assert url.startswith("http://127.0.0.1:") and token is None
        assert status_of(url + "healthz") == 200
        stream = urllib.request.urlopen(url + "live/run?id=R-1", timeout=10)  # a live page's stream
        assert [stream.readline() for _ in range(3)] == [b"retry: 2000\n", b"\n", b"event: update\n"]
        data = json.loads(stream.readline().removeprefix(b"data: "))
        assert 'class="badge badge-waiting">waiting</span>' in data["html"]  # the page's live part, rendered
        with Engine(db) as other:  # another process's commit: the stream pushes the page's new state
            other.deliver("R-1", "approval", {"approved": True})
        while (line := stream.readline()) != b"event: update\n":
            assert line in (b"\n", b": ping\n"), line
        assert "delivered at" in json.loads(stream.readline().removeprefix(b"data: "))["html"]
        started = time.monotonic()
        proc.send_signal(2)
        assert proc.wait(timeout=10) == 0
        assert time.monotonic() - started < 8  # the open stream does not hold the server
        assert proc.stderr is not None and "portaflow ui: stopped" in proc.stderr.read()
        stream.close()


def test_a_token_from_the_environment_is_required_on_every_request(db: Path) -> None:
    waiting_refunds(db, "R-1")
    with ui_process(db, env={"PORTAFLOW_UI_TOKEN": "t0ken"}) as (url, printed, _):
        assert printed is None  # a token the user chose is not printed
        assert status_of(url) == 401
        assert status_of(url + "healthz") == 401
        assert status_of(url, Authorization="Bearer t0ken") == 200


def test_it_refuses_to_start_without_a_database(tmp_path: Path) -> None:
    r = portaflow("ui", "--db", str(tmp_path / "none.db"))
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        f"portaflow ui: error: {tmp_path / 'none.db'}: no such database (runs are recorded by "
        "`portaflow run` or a worker); check --db or $PORTAFLOW_DB"
    ]


def test_it_refuses_a_file_that_is_not_a_portaflow_database(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    other.write_text("not sqlite at all, just text " * 40)
    r = portaflow("ui", "--db", str(other))
    assert r.returncode == 2
    assert len(r.stderr.splitlines()) == 1 and "not a portaflow database" in r.stderr


@pytest.mark.parametrize("port", ["70000", "-1"])
def test_a_port_out_of_range_is_one_line(db: Path, port: str) -> None:
    waiting_refunds(db, "R-1")
    r = portaflow("ui", "--db", str(db), "--port", port)
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        f"portaflow ui: error: --port {port} is not a port number (0-65535; 0 picks a free one)"
    ]


def test_an_address_in_use_is_one_line(db: Path) -> None:
    waiting_refunds(db, "R-1")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        r = portaflow("ui", "--db", str(db), "--port", str(port))
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        f"portaflow ui: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]


def test_help_lists_its_options() -> None:
    r = portaflow("ui", "--help")
    assert r.returncode == 0
    for option in ("--host", "--port", "--token", "--allow-host", "--db"):
        assert option in r.stdout
    assert "ui" in portaflow("--help").stdout
