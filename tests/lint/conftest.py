"""Fixtures of the lint tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lint_helpers import LintTree, write_tree

from portaflow.lint.config import LintConfig
from portaflow.lint.runner import Finding, lint


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
