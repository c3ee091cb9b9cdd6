"""Shared helpers for the lint tests: write small projects to a temporary folder and lint them."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from portaflow.lint.config import LintConfig  # noqa: E402
from portaflow.lint.runner import Finding, lint  # noqa: E402


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


LintTree = Callable[..., list[Finding]]


@pytest.fixture
def lint_tree(tmp_path: Path) -> LintTree:
    """Write ``files`` in a temporary folder, lint ``paths`` (default: all of it), return the findings."""

    def run(files: dict[str, str], paths: list[str] | None = None, **config: object) -> list[Finding]:
        write_tree(tmp_path, files)
        settings = LintConfig(root=tmp_path)
        for key, value in config.items():
            setattr(settings, key, value)
        targets = [tmp_path / p for p in paths] if paths else [tmp_path]
        return lint(targets, settings, cwd=tmp_path).findings

    return run


def codes_and_lines(findings: list[Finding]) -> list[tuple[str, int]]:
    return sorted((f.code, f.line) for f in findings)
