"""The AWS backend's own diagnostic codes (documented in docs/compile-errors.md with the neutral ones)."""

from __future__ import annotations

from portaflow.backends.base import CodeInfo

CODES: dict[str, CodeInfo] = {
    "PFC040": CodeInfo("the target cannot express this (aws)"),
    "PFC081": CodeInfo("a child run's result() waited for apart from its start (aws)"),
    "PFW100": CodeInfo("may exceed Step Functions' 25,000 history events", "warning"),
    "PFW101": CodeInfo("may exceed Step Functions' 256 KB payload limit", "warning"),
    "PFW102": CodeInfo("JSON text of floats differs on Step Functions", "warning"),
}
