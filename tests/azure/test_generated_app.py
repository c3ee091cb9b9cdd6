"""The generated Azure Functions app: its function_app.py matches the golden files (`pytest
--update-goldens` rewrites them), passes `ruff check` (black formats it; a long string literal may stay
long), imports and indexes its functions in a fresh process, and installs and runs from its own files and
requirements.txt alone in a fresh virtual environment (portaflow not installed there)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conformance.columns import load_module, scenario_files, scenario_workflow

from portaflow.backends import get
from portaflow.compiler.pipeline import compile_for

ROOT = Path(__file__).parents[2]
SCENARIOS = scenario_files()
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if p.stem != "fake_llm")
GOLDENS = Path(__file__).parent / "goldens"


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out: dict[str, Path] = {}
    base = tmp_path_factory.mktemp("azure")
    for src in [*SCENARIOS, *EXAMPLES]:
        compiled = compile_for(src, scenario_workflow(src), get("azure"))
        if compiled.errors and src in SCENARIOS:  # a scenario that checks azure's refusal has no app
            refused = load_module(src).SCENARIO.get("refuses", {}).get("azure")
            assert {d.code for d in compiled.errors} == {refused}, src
            continue
        assert compiled.project is not None and not compiled.errors, (src, compiled.errors)
        compiled.project.write(base / src.stem)
        out[src.stem] = base / src.stem
    return out


def test_generated_function_apps_match_goldens(apps: dict[str, Path], request: pytest.FixtureRequest) -> None:
    update = os.environ.get("PORTAFLOW_UPDATE_GOLDENS") == "1" or request.config.getoption("update_goldens")
    GOLDENS.mkdir(exist_ok=True)
    for name, p in apps.items():
        got = (p / "function_app.py").read_text(encoding="utf-8")
        golden = GOLDENS / f"{name}.function_app.py"
        if update:
            golden.write_text(got, encoding="utf-8")
            continue
        assert golden.exists(), f"{name}: no golden file; create it with pytest --update-goldens"
        assert got == golden.read_text(encoding="utf-8"), (
            f"{name}: generated function_app.py changed; review and rerun with pytest --update-goldens"
        )


def test_generated_python_passes_ruff(apps: dict[str, Path]) -> None:
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff not installed: bash scripts/test.sh installs it (pip extra 'test')")
    files = [str(p / "function_app.py") for p in apps.values()]
    r = subprocess.run(
        [ruff, "check", "--no-cache", "--isolated", "--select", "E,F,W", "--ignore", "E501", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_app_imports_and_indexes_its_functions(apps: dict[str, Path]) -> None:
    """As the Functions host does on start: import function_app from the app's folder, index the functions
    (an orchestrator per workflow, an activity per step, the three HTTP endpoints)."""
    script = (
        "import sys, function_app\n"
        "names = sorted(f.get_function_name() for f in function_app.app.get_functions())\n"
        "print(' '.join(names))\n"
    )
    for name, p in apps.items():
        r = subprocess.run(
            [sys.executable, "-c", script],
            cwd=p,
            capture_output=True,
            text=True,
            timeout=60,
            env=_bare_env(p),
        )
        assert r.returncode == 0, (name, r.stderr)
        names = set(r.stdout.split())
        assert {"start_run", "send_event", "run_status"} <= names, name
        activities = {n for n in names if n.startswith("pf_step_")}
        assert len(activities) == (p / "function_app.py").read_text().count("@app.activity_trigger("), name


def _bare_env(app: Path) -> dict[str, str]:
    """No portaflow but the app's own copy: the app folder first, portaflow's source tree not on the path."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(app)
    return env


def test_the_app_imports_portaflow_from_its_own_files(apps: dict[str, Path]) -> None:
    p = apps["s01_sequential"]
    r = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys; sys.path.insert(0, '.'); import function_app, portaflow; print(portaflow.__file__)",
        ],
        cwd=p,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert Path(r.stdout.strip()).resolve().is_relative_to(p.resolve())


def test_the_app_installs_and_runs_from_its_files_alone(
    apps: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """As a deployment does: a fresh virtual environment, `pip install -r requirements.txt` (no portaflow
    there), then the orchestrator replayed by that environment's SDK through one activity."""
    app = apps["s01_sequential"]
    reqs = [
        line.split("=")[0].split(">")[0].split("<")[0].strip().lower()
        for line in (app / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert "portaflow" not in reqs and {"azure-functions", "azure-functions-durable"} <= set(reqs)
    work = tmp_path_factory.mktemp("azure-venv")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "-r",
            str(app / "requirements.txt"),
        ],
        check=True,
        timeout=600,
    )
    script = (
        "import sys; sys.path.insert(0, '.')\n"
        "import function_app, portaflow, azure.durable_functions\n"
        "assert portaflow.__file__.startswith(sys.argv[1]), portaflow.__file__\n"
        "fns = {f.get_function_name(): f for f in function_app.app.get_functions()}\n"
        "fetch = fns['pf_step_fetch'].get_user_function()\n"
        "print(fetch({'args': {'user': 'ada'}, 'idempotency_key': 'r:0'}))\n"
    )
    r = subprocess.run(
        [str(python), "-I", "-c", script, str(app.resolve())],
        cwd=app,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str({"result": {"user": "ada", "items": [1, 2, 3]}})
