"""A new backend is one folder plus one entry point: a distribution installed on the path is seen by
`compile --target`, `compile --list-targets` and the conformance suite's columns, with no other edit."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from portaflow import backends
from portaflow.backends.base import Backend

ROOT = Path(__file__).parents[2]


def documented_backend() -> str:
    """The minimal backend of docs/architecture.md ("Adding a backend"), so the page's example stays true."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    after = doc.split("<!-- tested: tests/backends/test_registry.py", 1)[1]
    block = re.search(r"```python\n(.*?)```", after, re.S)
    assert block is not None
    return textwrap.dedent(block.group(1))


FLOW = textwrap.dedent(
    """
    from portaflow import Context, step, workflow

    @step
    def hello(name: str) -> str:
        return "hello " + name

    @workflow
    def greet(ctx: Context, name: str = "you") -> str:
        return hello(name)

    @workflow
    def nap(ctx: Context) -> int:
        ctx.sleep("1h")
        return 1
    """
)


@pytest.fixture
def distribution(tmp_path: Path) -> dict[str, str]:
    """A distribution `portaflow-minimal` on the path: its module and its dist-info with the entry point."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "minimal_backend.py").write_text(documented_backend())
    info = site / "portaflow_minimal-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: portaflow-minimal\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[portaflow.backends]\nminimal = minimal_backend:MinimalBackend\n")
    (tmp_path / "flow.py").write_text(FLOW)
    path = os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return {**os.environ, "PYTHONPATH": path}


def run(env: dict[str, str], *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def test_an_installed_backend_is_a_compile_target(distribution: dict[str, str], tmp_path: Path) -> None:
    listed = run(distribution, "-m", "portaflow", "compile", "--list-targets", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    names = [line.split()[0] for line in listed.stdout.splitlines() if not line.startswith(" ")]
    assert names[0] == "ir" and {"aws", "minimal"} <= set(names)
    assert "the IR as a project (a test backend) [no offline executor]" in listed.stdout

    r = run(
        distribution,
        "-m",
        "portaflow",
        "compile",
        "flow.py:greet",
        "--target",
        "minimal",
        "--out",
        "o",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "o" / "program.json").exists() and "wrote o/ (program.json)" in r.stdout

    # its own codes, through the same diagnostics path as every target's
    r = run(
        distribution,
        "-m",
        "portaflow",
        "compile",
        "flow.py:nap",
        "--target",
        "minimal",
        "--out",
        "o2",
        cwd=tmp_path,
    )
    assert r.returncode == 1 and "flow.py:14:5: PFC990 minimal cannot sleep" in r.stderr
    assert not (tmp_path / "o2").exists()

    bad = run(
        distribution, "-m", "portaflow", "compile", "flow.py", "--target", "nope", "--out", "o", cwd=tmp_path
    )
    assert bad.returncode == 2 and "minimal" in bad.stderr and "aws" in bad.stderr


def test_an_installed_backend_is_a_conformance_column(distribution: dict[str, str]) -> None:
    r = run(
        distribution,
        "-m",
        "pytest",
        "--collect-only",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/conformance/test_conformance.py",
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    ids = r.stdout.splitlines()
    assert "tests/conformance/test_conformance.py::test_scenario[s01_sequential-minimal]" in ids
    assert "tests/conformance/test_conformance.py::test_scenario[s01_sequential-aws]" in ids


def test_a_backend_is_imported_only_when_it_is_used() -> None:
    code = (
        "import sys; from portaflow import backends; names = backends.names(); "
        "assert 'aws' in names; assert 'portaflow.backends.aws' not in sys.modules, 'imported by names()'; "
        "b = backends.get('aws'); assert 'portaflow.backends.aws.backend' in sys.modules; "
        "assert 'moto' not in sys.modules and 'portaflow.backends.aws.offline.harness' not in sys.modules"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_an_unknown_target_names_the_installed_ones() -> None:
    with pytest.raises(backends.UnknownTarget, match=r"installed: .*aws"):
        backends.get("nope")


def test_every_registered_backend_declares_what_the_pipeline_reads() -> None:
    for name in backends.names():
        b = backends.get(name)
        assert isinstance(b, Backend) and b.name == name
        assert b.capabilities.values in ("copy", "reference")
        for code, info in b.codes.items():
            assert code[:3] in ("PFC", "PFW") and (info.severity == "warning") == code.startswith("PFW"), code


def test_list_targets_shows_what_each_target_copies_and_limits() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "portaflow", "compile", "--list-targets"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    aws = lines[[line.split()[0] for line in lines].index("aws") + 1]
    expected = (
        "values copied on assignment; whole-second timers; history of at most 25,000 events per run;"
        " payloads of at most 256 KiB"
    )
    assert aws.strip() == expected


def test_capabilities_describe_reference_targets_without_limits() -> None:
    from portaflow.backends.base import Capabilities

    assert Capabilities(values="reference").describe() == "values shared by reference"
    assert Capabilities(values="copy", max_payload_bytes=1000).describe() == (
        "values copied on assignment; payloads of at most 1,000 bytes"
    )
