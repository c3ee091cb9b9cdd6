"""The generated rule reference is current, and this repository's own examples lint clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from lint_helpers import REPO_ROOT

from portaflow.lint.config import LintConfig
from portaflow.lint.docs import render
from portaflow.lint.rules import ALL_RULES
from portaflow.lint.runner import lint

DOCS = REPO_ROOT / "docs" / "lint-rules.md"


def test_docs_lint_rules_md_is_generated_from_the_current_rules() -> None:
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/lint-rules.md is stale: run `python -m portaflow.lint.docs`"
    )


def test_every_rule_has_a_section_with_why_a_bad_example_and_a_fix() -> None:
    text = render()
    for rule in ALL_RULES:
        section = text.split(f"\n## {rule.code} {rule.name}\n", 1)[1].split("\n## ", 1)[0]
        assert "**Why it breaks replay.**" in section
        assert rule.INVALID[0].code in section
        assert rule.USE_INSTEAD in section


def test_pre_commit_hook_runs_portaflow_lint_on_python_files() -> None:
    text = (REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "entry: portaflow lint" in text
    assert "language: python" in text
    assert "types: [python]" in text


def test_repository_examples_lint_clean() -> None:
    examples = REPO_ROOT / "examples"
    if not examples.is_dir():
        pytest.skip("no examples/ folder in this checkout yet")
    findings = lint([examples], LintConfig(root=REPO_ROOT), cwd=REPO_ROOT).findings
    assert [f"{f.path}:{f.line}: {f.code} {f.message}" for f in findings] == []


def test_the_linter_never_imports_linted_code(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    code = f"open({str(marker)!r}, 'w').close()\nraise SystemExit(3)\n"
    (tmp_path / "evil.py").write_text(code, encoding="utf-8")
    (tmp_path / "flows.py").write_text(
        "import evil\nfrom portaflow import workflow\n\n@workflow\ndef wf(ctx):\n    return evil.x\n",
        encoding="utf-8",
    )
    assert lint([tmp_path], LintConfig(root=tmp_path), cwd=tmp_path).findings == []
    assert not marker.exists()
