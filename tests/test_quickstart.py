"""The README's quick start, word for word, on a machine whose `python3` refuses `pip install` outside a
virtual environment (as Debian's does: PEP 668's externally-managed-environment), in a copy of this
checkout: the first command makes its own `.venv`, installs portaflow there and runs a real example on the
local engine. It installs from the package index like a user would (a few seconds with pip's cache)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

REFUSING_PYTHON = """\
#!/bin/sh
# python3 as Debian ships it: no `pip install` outside a virtual environment
case " $* " in
  *" -m pip "*install*) echo "error: externally-managed-environment" >&2; exit 1 ;;
esac
exec {python} "$@"
"""
REFUSING_PIP = """\
#!/bin/sh
echo "error: externally-managed-environment" >&2
exit 1
"""


def quick_start() -> list[str]:
    """The commands of the README's quick start: its bash blocks."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_the_quick_start_is_two_commands() -> None:
    commands = quick_start()
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert commands[1] == "bash scripts/test.sh"
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("bash scripts/test.sh -q")


def _copy_of_the_checkout(dest: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if files.returncode != 0:
        pytest.skip("not a git checkout: no list of the project's files to copy")
    for name in files.stdout.decode().split("\0"):
        src = ROOT / name
        if name and src.is_file() and not src.is_symlink():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def test_the_first_command_makes_a_venv_and_runs_an_example(tmp_path: Path) -> None:
    repo = _copy_of_the_checkout(tmp_path / "portaflow")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    base = getattr(sys, "_base_executable", sys.executable)  # the interpreter, not the venv we run in
    for name, text in (("python3", REFUSING_PYTHON.format(python=base)), ("pip", REFUSING_PIP)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    shutil.copy2(bin_dir / "pip", bin_dir / "pip3")
    refused = subprocess.run(
        [bin_dir / "python3", "-m", "pip", "install", "six"], capture_output=True, text=True
    )
    assert refused.returncode == 1 and "externally-managed-environment" in refused.stderr
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME") and not k.startswith("PORTAFLOW_")
    }
    env["PATH"] = f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin"
    proc = subprocess.run(
        ["bash", "-c", quick_start()[0]], cwd=repo, env=env, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["status"] == "completed" and out["output"]["summary"].startswith("durable execution: ")
    assert "step read_source ok" in proc.stderr
    # portaflow came from the copy, installed in its own .venv
    where = subprocess.run(
        [repo / ".venv" / "bin" / "python", "-c", "import portaflow; print(portaflow.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=bin_dir,
    )
    assert where.stdout.strip() == str(repo / "portaflow" / "__init__.py")
    assert (repo / ".portaflow" / "runs.db").is_file()
