"""The `portaflow` command as a user runs it: real processes, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from portaflow.local_engine import Engine

FLOWS = Path(__file__).parent / "cli_workflows" / "flows.py"


class CLI:
    def __init__(self, tmp: Path) -> None:
        self.db = tmp / "cli.db"
        self.effects = tmp / "effects"
        self.effects.mkdir()
        self.env = {**os.environ, "PORTAFLOW_DB": str(self.db), "PORTAFLOW_TEST_EFFECTS": str(self.effects)}

    def __call__(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "portaflow", *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
            cwd=cwd,
        )

    def last_json(self, proc: subprocess.CompletedProcess[str]) -> Any:
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def effects_log(self) -> list[str]:
        path = self.effects / "effects.log"
        return path.read_text().splitlines() if path.exists() else []


@pytest.fixture
def cli(tmp_path: Path) -> CLI:
    return CLI(tmp_path)


def test_run_prints_steps_on_stderr_and_the_result_as_the_last_stdout_line(cli: CLI) -> None:
    proc = cli("run", f"{FLOWS}:greet", "--input", '{"name": "ada", "excited": true}', "--run-id", "g1")
    assert proc.returncode == 0, proc.stderr
    assert cli.last_json(proc) == {
        "run_id": "g1",
        "status": "completed",
        "output": {"greeting": "hello-ada!", "key": "g1:1"},
    }
    assert "step record ok in" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_run_and_signal_a_human_approval(cli: CLI) -> None:
    proc = cli("run", f"{FLOWS}:approve", "--input", '{"amount": 250}', "--run-id", "a1")
    assert proc.returncode == 3
    assert cli.last_json(proc)["waiting_for"] == "approval"
    status = cli("status", "a1", "--json")
    shown = json.loads(status.stdout)
    assert shown["status"] == "waiting" and shown["workflow"] == "approve" and "created_at" in shown
    proc = cli("signal", "a1", "approval", "--data", '{"ok": true}')
    assert proc.returncode == 0, proc.stderr
    assert cli.last_json(proc)["output"] == {"amount": 250, "decision": {"ok": True}}
    history = json.loads(cli("history", "a1", "--json").stdout)
    assert [e["kind"] for e in history] == [
        "run_started",
        "step_completed",
        "wait_started",
        "event_received",
        "run_completed",
    ]
    assert "event_received" in cli("history", "a1").stdout


def test_a_failed_run_exits_1_with_the_error(cli: CLI) -> None:
    proc = cli("run", f"{FLOWS}:failing")
    assert proc.returncode == 1
    assert cli.last_json(proc)["error"]["type"] == "RuntimeError"
    assert "retrying in 10ms" in proc.stderr and "failed after 2 attempt(s)" in proc.stderr


def test_a_run_killed_mid_step_is_recovered_by_a_worker_without_rerunning_recorded_steps(cli: CLI) -> None:
    proc = cli("run", f"{FLOWS}:crashy", "--run-id", "c1")
    assert proc.returncode == -9  # the step SIGKILLed the process running it
    assert cli.last_json(cli("status", "c1", "--json"))["status"] == "running"
    worker = cli("worker", "--drain")
    assert worker.returncode == 0, worker.stderr
    assert "recovering run c1" in worker.stderr
    assert cli.last_json(cli("status", "c1", "--json"))["output"] == ["before", "survived", "after"]
    # 'before' was recorded before the crash: never executed again; the interrupted step re-ran once,
    # with the same idempotency key
    assert cli.effects_log() == ["before c1:0", "die_once c1:1", "die_once c1:1", "after c1:2"]


def test_worker_drain_leaves_future_timers_and_run_max_wait_hands_them_over(cli: CLI) -> None:
    proc = cli("run", f"{FLOWS}:napper", "--max-wait", "1m", "--run-id", "n1")
    assert proc.returncode == 4  # sleeping: left to a worker
    assert "wake_at" in cli.last_json(proc)
    assert cli("worker", "--drain").returncode == 0
    assert cli.last_json(cli("status", "n1", "--json"))["status"] == "waiting"


def test_list_and_cancel(cli: CLI) -> None:
    cli("run", f"{FLOWS}:approve", "--input", '{"amount": 1}', "--run-id", "x1")
    cli("run", f"{FLOWS}:greet", "--input", '{"name": "b"}', "--run-id", "x2")
    listed = json.loads(cli("list", "--json").stdout)
    assert {r["run_id"]: r["status"] for r in listed} == {"x1": "waiting", "x2": "completed"}
    assert [r["run_id"] for r in json.loads(cli("list", "--status", "waiting", "--json").stdout)] == ["x1"]
    proc = cli("cancel", "x1")
    assert proc.returncode == 0 and json.loads(proc.stdout)["status"] == "cancelled"
    assert "x1" in cli("list").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "nope"], "no run 'nope'"),
        (["history", "nope"], "no run 'nope'"),
        (["signal", "nope", "ev"], "no run 'nope'"),
        (["cancel", "nope"], "no run 'nope'"),
        (["run", "missing.py:wf"], "missing.py: no such file"),
        (["run", f"{FLOWS}:nope"], "no @workflow named 'nope' (workflows here: approve, crashy"),
        (["run", f"{FLOWS}"], "name the workflow as"),
        (["run", f"{FLOWS}:greet", "--input", "{bad"], "--input is not JSON"),
        (["run", f"{FLOWS}:greet", "--input", "[1]"], "must be a JSON object"),
        (["run", f"{FLOWS}:greet", "--input", '{"nom": 1}'], "unknown key(s) 'nom'"),
        (["run", f"{FLOWS}:greet"], "missing 'name'"),
        (["run", f"{FLOWS}:greet", "--input", "@nowhere.json"], "cannot read nowhere.json"),
        (["run", f"{FLOWS}:greet", "--input", '{"name": "x"}', "--max-wait", "soon"], "not a duration"),
        (["run", f"{FLOWS}:greet", "--input", '{"name": "x"}', "--run-id", "a b"], "run id 'a b'"),
        (["worker", "--concurrency", "0"], "--concurrency must be at least 1"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(cli: CLI, args: list[str], message: str) -> None:
    Engine(cli.db).close()  # an existing database, without that run
    proc = cli(*args)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_file_with_a_syntax_error_is_reported_with_its_position(cli: CLI, tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("from portaflow import workflow\n\n@workflow\ndef wf(ctx):\n    return (\n")
    proc = cli("run", f"{broken}:wf")
    assert proc.returncode == 2
    assert f"{broken}:5" in proc.stderr and "syntax error" in proc.stderr


def test_a_workflow_inside_a_package_runs_with_its_relative_imports(cli: CLI, tmp_path: Path) -> None:
    pkg = tmp_path / "shop"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "tools.py").write_text(
        "from portaflow import step\n\n@step\ndef double(x: int) -> int:\n    return 2 * x\n"
    )
    (pkg / "flow.py").write_text(
        "from portaflow import Context, workflow\nfrom .tools import double\n\n"
        "@workflow\ndef wf(ctx: Context, x: int) -> int:\n    return double(x)\n"
    )
    proc = cli("run", f"{pkg / 'flow.py'}:wf", "--input", '{"x": 21}', "--run-id", "p1")
    assert proc.returncode == 0, proc.stderr
    assert cli.last_json(proc)["output"] == 42


@pytest.mark.parametrize("content", [b"hello, this is not sqlite", b"SQLite format 3\x00" + b"\x00" * 200])
def test_a_corrupt_database_is_refused_and_left_untouched(cli: CLI, tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(content)
    proc = cli("list", "--db", str(bad))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert str(bad) in proc.stderr
    assert bad.read_bytes() == content


def test_a_foreign_sqlite_database_is_refused_and_left_untouched(cli: CLI, tmp_path: Path) -> None:
    import sqlite3

    foreign = tmp_path / "app.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE users (id INTEGER)")
    conn.execute("INSERT INTO users VALUES (1)")
    conn.commit()
    conn.close()
    before = foreign.read_bytes()
    proc = cli("run", f"{FLOWS}:greet", "--input", '{"name": "x"}', "--db", str(foreign))
    assert proc.returncode == 2 and "another application" in proc.stderr
    assert foreign.read_bytes() == before


def test_the_default_database_lives_under_the_current_folder(cli: CLI, tmp_path: Path) -> None:
    del cli.env["PORTAFLOW_DB"]
    proc = cli("run", f"{FLOWS}:greet", "--input", '{"name": "d"}', cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / ".portaflow" / "runs.db").is_file()


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


SAME_NAME = """\
from portaflow import step, workflow

@step
def tag() -> str:
    return "{d}"

@workflow
def main(ctx) -> str:
    ctx.sleep("1s")
    return "from-{d}:" + tag()
"""


def test_a_worker_runs_each_file_own_code_when_two_files_share_a_name(cli: CLI, tmp_path: Path) -> None:
    for d in ("ma", "mb"):
        _write(tmp_path / d / "flow.py", SAME_NAME.format(d=d))
        proc = cli("run", f"{tmp_path / d / 'flow.py'}:main", "--run-id", d, "--max-wait", "0s")
        assert proc.returncode == 4, proc.stderr
    deadline = time.monotonic() + 60
    while True:  # --drain exits once nothing is due: drain again until both 1s timers have fired
        worker = cli("worker", "--drain", "--concurrency", "1")
        assert worker.returncode == 0, worker.stderr
        statuses = {cli.last_json(cli("status", d, "--json"))["status"] for d in ("ma", "mb")}
        if statuses == {"completed"} or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert cli.last_json(cli("status", "ma", "--json"))["output"] == "from-ma:ma"
    assert cli.last_json(cli("status", "mb", "--json"))["output"] == "from-mb:mb"


def test_a_workflow_file_inside_a_package_imports_like_python(cli: CLI, tmp_path: Path) -> None:
    _write(tmp_path / "app" / "__init__.py", "")
    _write(tmp_path / "app" / "errors.py", "class Declined(ValueError):\n    pass\n")
    flow = _write(
        tmp_path / "app" / "flow.py",
        "from portaflow import step, workflow\n"
        "from .errors import Declined\n"
        "from app.errors import Declined as Same\n\n"
        "@step\ndef charge() -> None:\n    raise Declined('no funds')\n\n"
        "@workflow\ndef flow(ctx) -> str:\n"
        "    try:\n        charge()\n    except Same as err:\n        return f'caught {err.type}'\n"
        "    return 'not caught'\n",
    )
    proc = cli("run", "app/flow.py:flow", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert cli.last_json(proc)["output"] == "caught Declined"
    assert cli.last_json(cli("run", str(flow)))["output"] == "caught Declined"  # from anywhere


def test_starting_an_existing_run_id_says_so_and_ignores_the_new_input(cli: CLI) -> None:
    cli("run", f"{FLOWS}:greet", "--input", '{"name": "first"}', "--run-id", "same")
    proc = cli("run", f"{FLOWS}:greet", "--input", '{"name": "second"}', "--run-id", "same")
    assert proc.returncode == 0
    assert "exists already (completed)" in proc.stderr and "--input was not used" in proc.stderr
    assert cli.last_json(proc)["output"]["greeting"] == "hello-first"


@pytest.mark.parametrize(
    "command", [["status", "r"], ["history", "r"], ["list"], ["cancel", "r"], ["signal", "r", "e"]]
)
def test_commands_on_existing_runs_do_not_create_a_database(
    cli: CLI, tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "nowhere" / "runs.db"
    proc = cli(*command, "--db", str(missing))
    assert proc.returncode == 2 and "no such database" in proc.stderr
    assert not missing.parent.exists()


def test_cancelling_a_finished_run_says_so(cli: CLI) -> None:
    cli("run", f"{FLOWS}:greet", "--input", '{"name": "x"}', "--run-id", "done")
    proc = cli("cancel", "done")
    assert proc.returncode == 0 and "already completed; nothing to cancel" in proc.stderr
    assert json.loads(proc.stdout)["status"] == "completed"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("import sys\nsys.exit(3)\n", "importing it called sys.exit(3)"),
        ("x = 1\n", "no @workflow function in this file"),
        ("raise RuntimeError('boom')\n", "importing it raised RuntimeError: boom"),
    ],
)
def test_a_file_that_cannot_provide_a_workflow_is_one_line(
    cli: CLI, tmp_path: Path, source: str, message: str
) -> None:
    path = _write(tmp_path / "wf.py", source)
    proc = cli("run", str(path))
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_a_failed_run_reports_only_the_error_type_and_message(cli: CLI, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "wf.py",
        "from portaflow import workflow\n\nclass Oops(Exception):\n    pass\n\n"
        "@workflow\ndef wf(ctx) -> None:\n    raise Oops('in the workflow')\n",
    )
    proc = cli("run", str(path))
    assert proc.returncode == 1
    assert cli.last_json(proc)["error"] == {"type": "Oops", "message": "in the workflow"}


def test_an_internal_error_is_one_line_unless_debugging(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import portaflow.cli as cli_module

    def broken(args: object) -> int:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(cli_module, "cmd_list", broken)
    monkeypatch.delenv("PORTAFLOW_DEBUG", raising=False)
    assert cli_module.main(["list", "--db", str(tmp_path / "x.db")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: RuntimeError: unexpected" in err
    monkeypatch.setenv("PORTAFLOW_DEBUG", "1")
    with pytest.raises(RuntimeError):
        cli_module.main(["list", "--db", str(tmp_path / "x.db")])


def test_run_and_compile_pick_the_one_workflow_a_file_defines_not_one_it_imports(
    cli: CLI, tmp_path: Path
) -> None:
    _write(
        tmp_path / "children.py",
        "from portaflow import workflow\n\n@workflow\ndef double(ctx, n: int) -> int:\n    return 2 * n\n",
    )
    main = _write(
        tmp_path / "main.py",
        "from portaflow import workflow\nfrom children import double\n\n"
        "@workflow\ndef total(ctx, n: int) -> int:\n    d = double(ctx, n)\n    return d + 1\n",
    )
    proc = cli("run", str(main), "--input", '{"n": 4}')
    assert proc.returncode == 0, proc.stderr
    assert cli.last_json(proc)["output"] == 9
    proc = cli("compile", str(main))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["entry"] == "total"


def test_compile_and_graph_ask_for_the_name_as_run_does(cli: CLI) -> None:
    run = cli("run", str(FLOWS))
    assert run.returncode == 2
    assert f"name the workflow as {FLOWS}:NAME (workflows here: approve, crashy, failing, greet, napper)" in (
        run.stderr
    )
    for command in ("compile", "graph"):
        proc = cli(command, str(FLOWS))
        assert proc.returncode == 1 and proc.stdout == ""
        assert f"PFC002 name the workflow as {FLOWS}:NAME (workflows here: approve, crashy" in proc.stderr
        assert "Traceback" not in proc.stderr


# ----- the smaller things a new user meets first ------------------------------------------------------


def test_portaflow_alone_lists_the_commands(cli: CLI) -> None:
    proc = cli()
    assert proc.returncode == 0, proc.stderr
    for command in ("run", "signal", "worker", "status", "history", "list", "cancel", "lint", "compile"):
        assert f"\n    {command} " in proc.stdout


def test_version(cli: CLI) -> None:
    import tomllib

    import portaflow

    proc = cli("--version")
    assert proc.returncode == 0
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert (
        proc.stdout.strip()
        == f"portaflow {pyproject['project']['version']}"
        == f"portaflow {portaflow.__version__}"
    )


def test_db_is_accepted_before_or_after_the_command(cli: CLI, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    proc = cli("--db", str(other), "run", f"{FLOWS}:greet", "--input", '{"name": "b"}', "--run-id", "before")
    assert proc.returncode == 0, proc.stderr
    assert other.is_file() and not cli.db.exists()
    assert [r["run_id"] for r in json.loads(cli("list", "--json", "--db", str(other)).stdout)] == ["before"]
    assert [r["run_id"] for r in json.loads(cli("--db", str(other), "list", "--json").stdout)] == ["before"]
    # given twice, the one after the command counts; a tool command says it uses no database
    assert cli("--db", str(tmp_path / "nowhere.db"), "status", "before", "--db", str(other)).returncode == 0
    proc = cli("--db", str(other), "lint", str(FLOWS))
    assert proc.returncode == 2 and "`lint` uses no database" in proc.stderr


def test_an_unknown_flag_prints_the_usage_of_its_command(cli: CLI) -> None:
    proc = cli("run", f"{FLOWS}:greet", "--bogus")
    assert proc.returncode == 2
    assert proc.stderr.startswith("usage: portaflow run ")
    assert "portaflow run: error: unrecognized arguments: --bogus" in proc.stderr


def test_lint_of_a_folder_without_python_files_says_so(cli: CLI, tmp_path: Path) -> None:
    empty = tmp_path / "docs"
    empty.mkdir()
    (empty / "notes.md").write_text("# notes\n")
    proc = cli("lint", str(empty))
    assert proc.returncode == 0
    assert "All checks passed" not in proc.stdout + proc.stderr
    assert f"no Python files to check in {empty}" in proc.stderr and "nothing was checked" in proc.stderr
    proc = cli("lint", str(empty), "--format", "json")
    assert json.loads(proc.stdout) == []


def test_history_json_gives_iso_times_like_status(cli: CLI) -> None:
    cli("run", f"{FLOWS}:greet", "--input", '{"name": "t"}', "--run-id", "t1")
    events = json.loads(cli("history", "t1", "--json").stdout)
    created = json.loads(cli("status", "t1", "--json").stdout)["created_at"]
    assert events[0]["at"] == created and created.endswith("Z")
    assert all(isinstance(e["at"], str) and e["at"][:2] == "20" for e in events)


def test_lint_help_is_defined_once() -> None:
    import portaflow.cli

    package = Path(portaflow.cli.__file__).parent
    holders = [p for p in package.rglob("*.py") if portaflow.cli.LINT_HELP in p.read_text(encoding="utf-8")]
    assert holders == [package / "cli.py"]
    lint_parser = portaflow.cli.build_parser("lint")
    sub = next(a for a in lint_parser._actions if a.dest == "command")
    assert [a.help for a in sub._choices_actions if a.dest == "lint"] == [portaflow.cli.LINT_HELP]


def _runs_as_another_user() -> list[str] | None:
    """A command prefix that runs Python without root's right to write anywhere (a user namespace), with
    this checkout importable; None where this machine cannot do that."""
    import shutil

    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    root = str(Path(__file__).parents[1])
    for python in (sys.executable, "/usr/bin/python3"):
        probe = subprocess.run(
            [unshare, "--user", python, "-c", "import sqlite3, portaflow.cli"],
            capture_output=True,
            env={**os.environ, "PYTHONPATH": root},
        )
        if probe.returncode == 0:
            return [unshare, "--user", python]
    return None


def test_a_database_in_a_folder_that_cannot_be_written_is_named_as_such(cli: CLI) -> None:
    import shutil
    import tempfile

    prefix = _runs_as_another_user()
    if prefix is None:
        pytest.skip("no user namespace here to run as a user who cannot write the folder")
    folder = Path(tempfile.mkdtemp(prefix="portaflow-ro-"))
    try:
        folder.chmod(0o755)
        (folder / "ro").mkdir()
        db = folder / "ro" / "runs.db"
        Engine(db).close()  # a valid portaflow database
        (folder / "ro").chmod(0o555)
        env = {**cli.env, "PYTHONPATH": str(Path(__file__).parents[1])}
        proc = subprocess.run(
            [*prefix, "-m", "portaflow", "list", "--db", str(db)], capture_output=True, text=True, env=env
        )
        assert proc.returncode == 2
        assert "not a portaflow database" not in proc.stderr
        assert f"cannot write to this database: the folder {folder / 'ro'} is read-only" in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
    finally:
        (folder / "ro").chmod(0o755)
        shutil.rmtree(folder)
