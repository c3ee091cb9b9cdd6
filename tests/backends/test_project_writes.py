"""Writing a generated project never replaces a file portaflow did not write, and the AWS Lambda package
installs and runs from its own files alone, in a fresh virtual environment."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from portaflow.backends.project import MANIFEST, Project, ProjectConflict

WORKFLOW = textwrap.dedent(
    """
    from portaflow import Context, step, workflow

    @step
    def double(x: int) -> int:
        return 2 * x

    @workflow
    def twice(ctx: Context, x: int = 1) -> int:
        return double(x)
    """
)


def compile_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "portaflow", "compile", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


@pytest.fixture
def user_project(tmp_path: Path) -> Path:
    (tmp_path / "flow.py").write_text(WORKFLOW)
    (tmp_path / "README.md").write_text("# my service\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("print('mine')\n")
    return tmp_path


def test_compiling_into_the_users_own_folder_refuses_and_writes_nothing(user_project: Path) -> None:
    before = {p: p.read_bytes() for p in user_project.rglob("*") if p.is_file()}
    r = compile_cli("flow.py", "--target", "aws", "--out", ".", cwd=user_project)
    assert r.returncode == 2
    [line] = r.stderr.strip().splitlines()
    assert "README.md" in line and "--force" in line and "nothing was written" in line
    assert {p: p.read_bytes() for p in user_project.rglob("*") if p.is_file()} == before


def test_compiling_again_replaces_only_what_portaflow_wrote(user_project: Path) -> None:
    r = compile_cli("flow.py", "--target", "aws", "--out", "build", cwd=user_project)
    assert r.returncode == 0, r.stderr
    out = user_project / "build"
    manifest = json.loads((out / MANIFEST).read_text())
    assert "template.yaml" in manifest["files"] and manifest["target"] == "aws"
    # unchanged input: compiling again succeeds (every file is as portaflow wrote it)
    assert compile_cli("flow.py", "--target", "aws", "--out", "build", cwd=user_project).returncode == 0
    # a generated file the user edited is not replaced without --force
    (out / "template.yaml").write_text("# my edit\n")
    r = compile_cli("flow.py", "--target", "aws", "--out", "build", cwd=user_project)
    assert r.returncode == 2 and "template.yaml" in r.stderr
    assert (out / "template.yaml").read_text() == "# my edit\n"
    r = compile_cli("flow.py", "--target", "aws", "--out", "build", "--force", cwd=user_project)
    assert r.returncode == 0 and (out / "template.yaml").read_text() != "# my edit\n"
    # a file of the user's inside the output folder is left alone when nothing would replace it
    (out / "notes.txt").write_text("keep me\n")
    assert compile_cli("flow.py", "--target", "aws", "--out", "build", cwd=user_project).returncode == 0
    assert (out / "notes.txt").read_text() == "keep me\n"


def test_files_an_earlier_compile_wrote_and_the_new_project_lacks_are_removed(tmp_path: Path) -> None:
    first = Project("t")
    first.add("a.txt", "a")
    first.add("old/b.txt", "b")
    first.write(tmp_path)
    second = Project("t")
    second.add("a.txt", "a2")
    second.write(tmp_path)
    assert (tmp_path / "a.txt").read_text() == "a2"
    assert not (tmp_path / "old").exists()


def test_a_stale_file_the_user_edited_is_kept(tmp_path: Path) -> None:
    first = Project("t")
    first.add("old.txt", "generated")
    first.write(tmp_path)
    (tmp_path / "old.txt").write_text("edited")
    Project("t").write(tmp_path)
    assert (tmp_path / "old.txt").read_text() == "edited"


def test_a_file_where_the_project_needs_a_folder_is_a_conflict(tmp_path: Path) -> None:
    (tmp_path / "src").write_text("a file of the user's")
    p = Project("t")
    p.add("src/handler.py", "x = 1\n")
    with pytest.raises(ProjectConflict, match="src"):
        p.write(tmp_path)
    assert (tmp_path / "src").read_text() == "a file of the user's"


@pytest.mark.parametrize("bad", ["/etc/passwd", "../up.txt", "a/../../b", MANIFEST])
def test_a_project_path_must_stay_inside_the_project(bad: str) -> None:
    with pytest.raises(ValueError):
        Project("t").add(bad, "x")


def test_the_lambda_package_installs_and_runs_from_the_generated_files_alone(
    user_project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """As `sam build` does: install src/requirements.txt into a fresh package folder with a fresh virtual
    environment's pip (portaflow is not installed there), copy src/, import the handler, call a step."""
    r = compile_cli("flow.py", "--target", "aws", "--out", "build", cwd=user_project)
    assert r.returncode == 0, r.stderr
    src = user_project / "build" / "src"
    assert "portaflow" not in [
        line.split("=")[0].split(">")[0].strip().lower()
        for line in (src / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    work = tmp_path_factory.mktemp("lambda")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    pkg = work / "package"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "-r", str(src / "requirements.txt"), "--target", str(pkg)],
        check=True,
        timeout=300,
    )
    import shutil

    shutil.copytree(src, pkg, dirs_exist_ok=True)
    script = (
        f"import sys; sys.path.insert(0, {str(pkg)!r})\n"
        "import portaflow_handler as h, portaflow\n"
        f"assert portaflow.__file__.startswith({str(pkg)!r}), portaflow.__file__\n"
        "print(h.handle_double({'args': {'x': 21}}, None))\n"
    )
    r2 = subprocess.run([str(python), "-I", "-c", script], capture_output=True, text=True, timeout=60)
    assert r2.returncode == 0, r2.stderr
    assert r2.stdout.strip() == "42"
