"""--fix on before/after fixture files: the result matches, parses, and lints clean when all was fixable."""

from __future__ import annotations

import shutil
from pathlib import Path

import libcst as cst
import pytest

from portaflow.lint.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


def _fix_copy(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, int]:
    target = tmp_path / f"{name}.py"
    shutil.copy(FIXTURES / f"{name}.before.py", target)
    monkeypatch.chdir(tmp_path)
    return target, main([target.name, "--fix"])


def test_support_agent_is_fixed_completely_and_then_lints_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target, code = _fix_copy(tmp_path, "support_agent", monkeypatch)
    assert code == 0
    assert capsys.readouterr().out == "Fixed 8 findings.\nAll checks passed!\n"
    fixed = target.read_text()
    assert fixed == (FIXTURES / "support_agent.after.py").read_text()
    cst.parse_module(fixed)
    assert main([target.name]) == 0


def test_a_helper_without_a_context_is_reported_not_fixed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target, code = _fix_copy(tmp_path, "helper_without_context", monkeypatch)
    assert code == 1
    out = capsys.readouterr().out
    assert out.startswith("Fixed 1 finding.\nThese could not be fixed automatically:\n")
    assert "helper_without_context.py:8:12: PF101 `datetime.datetime.now()`" in out
    assert "no workflow Context is in scope" in out
    fixed = target.read_text()
    assert fixed == (FIXTURES / "helper_without_context.after.py").read_text()
    cst.parse_module(fixed)


def test_diff_of_the_fixture_matches_the_after_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "support_agent.py"
    shutil.copy(FIXTURES / "support_agent.before.py", target)
    monkeypatch.chdir(tmp_path)
    assert main(["--diff"]) == 1
    diff = capsys.readouterr().out
    removed = [line[1:] for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    before = (FIXTURES / "support_agent.before.py").read_text().splitlines()
    after = (FIXTURES / "support_agent.after.py").read_text().splitlines()
    assert set(removed) == set(before) - set(after)
    assert set(added) == set(after) - set(before)
    assert target.read_text() == (FIXTURES / "support_agent.before.py").read_text()


def test_a_rebound_context_name_is_not_used_by_a_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target, code = _fix_copy(tmp_path, "rebound_context", monkeypatch)
    assert code == 1
    out = capsys.readouterr().out
    assert out.startswith("Fixed 1 finding.\nThese could not be fixed automatically:\n")
    assert "rebound_context.py:12:26: PF101 `time.time()`" in out
    assert "`ctx` no longer refers to the workflow's Context here" in out
    fixed = target.read_text()
    assert fixed == (FIXTURES / "rebound_context.after.py").read_text()
    cst.parse_module(fixed)


def test_removing_the_first_import_leaves_no_blank_line_at_the_top(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "flow.py"
    target.write_text(
        "import time\n\nfrom portaflow import Context, workflow\n\n\n"
        "@workflow\ndef w(ctx: Context) -> float:\n    return time.time()\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main([target.name, "--fix"]) == 0
    assert target.read_text().startswith("from portaflow import Context, workflow\n\n\n@workflow\n")
