"""The rules, one per module. ``ALL_RULES`` is the registry, in code order."""

from __future__ import annotations

from portaflow.lint.rules.base import Rule
from portaflow.lint.rules.pf101_wall_clock import WallClock

ALL_RULES: tuple[type[Rule], ...] = (WallClock,)

RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}

SYNTAX_ERROR_CODE = "PF001"
ALL_CODES: tuple[str, ...] = tuple(rule.code for rule in ALL_RULES)
