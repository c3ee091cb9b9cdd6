"""Every rule's own VALID and INVALID examples, as test cases (the rule modules are the specification)."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from lint_helpers import codes_and_lines, write_tree

from portaflow.lint.config import LintConfig
from portaflow.lint.fixes import fixed_source
from portaflow.lint.rules import ALL_RULES
from portaflow.lint.rules.base import Invalid, Rule
from portaflow.lint.runner import lint

VALID_CASES = [
    pytest.param(rule, code, id=f"{rule.code}-valid-{i}")
    for rule in ALL_RULES
    for i, code in enumerate([*rule.VALID, rule.USE_INSTEAD])
]
INVALID_CASES = [
    pytest.param(rule, example, id=f"{rule.code}-invalid-{i}")
    for rule in ALL_RULES
    for i, example in enumerate(rule.INVALID)
]
FIX_CASES = [
    pytest.param(rule, example, id=f"{rule.code}-fix-{i}")
    for rule in ALL_RULES
    for i, example in enumerate(rule.INVALID)
    if example.fixed is not None
]


def _lint_code(tmp_path: Path, code: str):  # type: ignore[no-untyped-def]
    write_tree(tmp_path, {"flows.py": code})
    return lint([tmp_path / "flows.py"], LintConfig(root=tmp_path), cwd=tmp_path)


@pytest.mark.parametrize(("rule", "code"), VALID_CASES)
def test_valid_example_has_no_findings(tmp_path: Path, rule: type[Rule], code: str) -> None:
    result = _lint_code(tmp_path, code)
    assert codes_and_lines(result.findings) == []


@pytest.mark.parametrize(("rule", "example"), INVALID_CASES)
def test_invalid_example_is_flagged_at_the_expected_lines(
    tmp_path: Path, rule: type[Rule], example: Invalid
) -> None:
    result = _lint_code(tmp_path, example.code)
    assert codes_and_lines(result.findings) == sorted((rule.code, line) for line in example.lines)


@pytest.mark.parametrize(("rule", "example"), FIX_CASES)
def test_fix_produces_the_expected_code_which_parses_and_lints_clean(
    tmp_path: Path, rule: type[Rule], example: Invalid
) -> None:
    result = _lint_code(tmp_path, example.code)
    fixes = [f.fix for f in result.findings if f.fix is not None]
    assert fixes, "the example promises a fix"
    info = result.modules[(tmp_path / "flows.py").resolve()]
    fixed = fixed_source(info, fixes)
    assert fixed == example.fixed
    cst.parse_module(fixed)
    relinted = _lint_code(tmp_path, fixed)
    assert codes_and_lines(relinted.findings) == []


def test_every_rule_documents_itself_and_has_examples() -> None:
    codes = [rule.code for rule in ALL_RULES]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    for rule in ALL_RULES:
        assert rule.name and rule.summary and rule.why and rule.replacement and rule.USE_INSTEAD
        assert len(rule.VALID) >= 2, rule.code
        assert len(rule.INVALID) >= 2, rule.code
