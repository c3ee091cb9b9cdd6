"""Helpers for the lint tests: write small projects to a folder and lint them."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from portaflow.lint.runner import Finding  # noqa: E402

LintTree = Callable[..., list[Finding]]


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def codes_and_lines(findings: list[Finding]) -> list[tuple[str, int]]:
    return sorted((f.code, f.line) for f in findings)
