"""Rule selection, path patterns and noqa comments."""

from __future__ import annotations

from pathlib import Path

import pytest

from portaflow.lint.config import ConfigError, LintConfig, check_selectors, is_enabled, path_matches
from portaflow.lint.noqa import is_suppressed
from portaflow.lint.rules import ALL_CODES


@pytest.mark.parametrize(
    ("code", "select", "ignore", "enabled"),
    [
        ("PF101", ["ALL"], [], True),
        ("PF101", ["PF"], ["PF101"], False),
        ("PF102", ["PF1"], ["PF101"], True),
        ("PF101", ["PF101"], ["PF1"], True),  # the more specific selector wins
        ("PF105", ["PF101", "PF102"], [], False),
        ("PF110", ["PF11"], [], True),
        ("PF101", ["PF101"], ["PF101"], False),
        ("PF101", ["ALL"], ["ALL"], False),
    ],
)
def test_rule_selection(code: str, select: list[str], ignore: list[str], enabled: bool) -> None:
    assert is_enabled(code, select, ignore) is enabled


def test_selectors_are_normalised_and_unknown_ones_rejected() -> None:
    assert check_selectors([" pf101 ", "PF1", "all", ""], ALL_CODES, "x") == ["PF101", "PF1", "ALL"]
    with pytest.raises(ConfigError, match="unknown rule code or prefix 'E501'"):
        check_selectors(["E501"], ALL_CODES, "x")


@pytest.mark.parametrize(
    ("rel", "pattern", "matches"),
    [
        ("legacy/old.py", "legacy", True),
        ("src/legacy/old.py", "legacy", True),  # a bare name matches at any depth
        ("src/legacy_tools.py", "legacy", False),
        ("tests/test_a.py", "tests/*", True),
        ("tests/unit/test_a.py", "tests/*", True),
        ("src/tests/test_a.py", "tests/*", False),
        ("gen_models.py", "gen_*.py", True),
        ("app/flows.py", "app/flows.py", True),
        ("app/flows.py", "./app/", True),
        ("app/flows.py", "", False),
    ],
)
def test_path_patterns(rel: str, pattern: str, matches: bool) -> None:
    assert path_matches(rel, pattern) is matches


def test_default_excludes_cover_virtualenvs_and_caches(tmp_path: Path) -> None:
    config = LintConfig(root=tmp_path)
    assert config.is_excluded(tmp_path / ".venv" / "lib" / "x.py")
    assert config.is_excluded(tmp_path / "node_modules" / "x.py")
    assert not config.is_excluded(tmp_path / "app" / "flows.py")


@pytest.mark.parametrize(
    ("line", "code", "suppressed"),
    [
        ("x = time.time()  # noqa", "PF101", True),
        ("x = time.time()  # NOQA", "PF101", True),
        ("x = time.time()  # noqa: PF101", "PF101", True),
        ("x = time.time()  # noqa:PF101,PF102", "PF102", True),
        ("x = time.time()  # noqa: E501, PF101", "PF101", True),
        ("x = time.time()  # noqa: PF102", "PF101", False),
        ("x = time.time()  # noqa: E501", "PF101", False),
        ("x = time.time()", "PF101", False),
        ("x = time.time()  # some comment # noqa: PF101 because tests", "PF101", True),
    ],
)
def test_noqa_comments(line: str, code: str, suppressed: bool) -> None:
    assert is_suppressed(line, code) is suppressed
