"""The everyday commands start fast: they import neither libcst, the linter nor any backend (whose imports
cost more than the work of `status` itself). Measured as whole processes in benchmarks/startup.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "libcst",
    "portaflow.lint",
    "portaflow.compiler.frontend",
    "portaflow.backends.aws",
    "jinja2",
    "moto",
    "starlette",
    "uvicorn",
)

# run a command in-process, then print the modules it loaded
PROBE = """
import json, runpy, sys
sys.argv = ["portaflow", *json.loads(sys.argv[1])]
try:
    runpy.run_module("portaflow", run_name="__main__")
except SystemExit:
    pass
print("MODULES=" + json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def loaded(args: list[str], env: dict[str, str], cwd: Path) -> set[str]:
    r = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True, text=True, env=env, cwd=cwd
    )
    line = next(x for x in r.stderr.splitlines() if x.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES=")))


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY or any(m.startswith(h) for h in HEAVY))


@pytest.fixture
def env_with_a_run(tmp_path: Path) -> dict[str, str]:
    flow = tmp_path / "flow.py"
    flow.write_text(
        "from portaflow import Context, step, workflow\n\n@step\ndef one() -> int:\n    return 1\n\n"
        "@workflow\ndef w(ctx: Context) -> int:\n    return one()\n"
    )
    env = {**os.environ, "PORTAFLOW_DB": str(tmp_path / "runs.db")}
    r = subprocess.run(
        [sys.executable, "-m", "portaflow", "run", f"{flow}:w", "--run-id", "r1", "-q"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    return env


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--help"],
        ["--version"],
        ["status", "r1"],
        ["history", "r1"],
        ["list"],
        ["cancel", "r1"],
        ["signal", "r1", "go"],
        ["worker", "--drain"],
        ["retry", "r1"],
        ["prune", "--older-than", "1d", "--dry-run"],
        ["ui", "--help"],
    ],
    ids=lambda a: " ".join(a) or "(no command)",
)
def test_everyday_commands_load_nothing_heavy(
    args: list[str], env_with_a_run: dict[str, str], tmp_path: Path
) -> None:
    assert heavy(loaded(args, env_with_a_run, tmp_path)) == []


def test_run_of_a_workflow_loads_nothing_heavy(env_with_a_run: dict[str, str], tmp_path: Path) -> None:
    modules = loaded(["run", f"{tmp_path / 'flow.py'}:w", "-q"], env_with_a_run, tmp_path)
    assert heavy(modules) == []


def test_importing_portaflow_and_its_engine_loads_nothing_heavy() -> None:
    code = "import sys, portaflow, portaflow.local_engine; print(sorted(sys.modules))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert heavy(set(eval(r.stdout))) == []


def test_lint_and_compile_do_load_what_they_need(env_with_a_run: dict[str, str], tmp_path: Path) -> None:
    """The lazy imports are lazy, not missing: the tool commands still get their libraries."""
    assert "libcst" in loaded(["lint", str(tmp_path / "flow.py")], env_with_a_run, tmp_path)
    modules = loaded(
        ["compile", str(tmp_path / "flow.py"), "--target", "aws", "--out", "o"], env_with_a_run, tmp_path
    )
    assert {"libcst", "portaflow.backends.aws.backend"} <= modules
    assert "moto" not in modules  # the offline harness is for tests, not for compiling


def test_pytest_plugins_import_no_backend(tmp_path: Path) -> None:
    """Installing portaflow adds its fixtures to every pytest session; they load their backend on use."""
    (tmp_path / "test_x.py").write_text(
        "import sys\n\ndef test_x():\n"
        "    heavy = ('portaflow.backends.aws', 'moto', 'libcst')\n"
        "    assert not [m for m in sys.modules if m.startswith(heavy)]\n"
    )
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path / "test_x.py")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stdout + r.stderr
