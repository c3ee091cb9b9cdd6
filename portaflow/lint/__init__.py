"""portaflow lint: a static checker for nondeterminism in workflow code (libcst; never imports the code)."""

from __future__ import annotations

from portaflow.lint.config import ConfigError, LintConfig, load_config
from portaflow.lint.runner import ChainLink, Finding, LintResult, UsageError, lint

__all__ = [
    "ChainLink",
    "ConfigError",
    "Finding",
    "LintConfig",
    "LintResult",
    "UsageError",
    "lint",
    "load_config",
]
