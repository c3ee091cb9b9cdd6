"""The rules, one per module. ``ALL_RULES`` is the registry, in code order."""

from __future__ import annotations

from portaflow.lint.rules.base import Rule
from portaflow.lint.rules.pf101_wall_clock import WallClock
from portaflow.lint.rules.pf102_randomness import Randomness
from portaflow.lint.rules.pf103_uuid import Uuid
from portaflow.lint.rules.pf104_sleep import Sleep
from portaflow.lint.rules.pf105_io import InputOutput
from portaflow.lint.rules.pf106_environment import Environment
from portaflow.lint.rules.pf107_concurrency import Concurrency
from portaflow.lint.rules.pf108_unordered_iteration import UnorderedIteration
from portaflow.lint.rules.pf109_global_state import GlobalState
from portaflow.lint.rules.pf110_swallowed_control_flow import SwallowedControlFlow

ALL_RULES: tuple[type[Rule], ...] = (
    WallClock,
    Randomness,
    Uuid,
    Sleep,
    InputOutput,
    Environment,
    Concurrency,
    UnorderedIteration,
    GlobalState,
    SwallowedControlFlow,
)

RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}

SYNTAX_ERROR_CODE = "PF001"
ALL_CODES: tuple[str, ...] = tuple(rule.code for rule in ALL_RULES)
