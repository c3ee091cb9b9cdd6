"""The conformance report: which cells a target refuses at compile time (passed, but worth seeing)."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    refused = [
        (r.nodeid, value)
        for r in terminalreporter.stats.get("passed", [])
        for key, value in getattr(r, "user_properties", [])
        if key == "refused"
    ]
    if refused:
        terminalreporter.section("conformance: refused at compile time (checked)")
        for nodeid, value in refused:
            terminalreporter.line(f"{nodeid.rsplit('::', 1)[-1]}  {value}")
