"""Compiler diagnostics: stable codes, ``path:line:col: PFC### message``, the source line, a caret, a fix.

Codes are documented, each with a bad and a good example, in ``docs/compile-errors.md``; a test checks that
every code defined here is documented there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]

#: The neutral codes every target shares: code -> short title. Errors are PFC0xx, warnings PFW0xx. A backend
#: declares its own codes (``Backend.codes``, e.g. PFC040 and PFW100-PFW102 in ``backends/aws/codes.py``).
CODES: dict[str, str] = {
    "PFC001": "syntax error in the workflow's module (or a module it imports steps from)",
    "PFC002": "no such workflow in the module",
    "PFC003": "workflow function shape not supported",
    "PFC010": "decorator argument is not a literal",
    "PFC011": "unknown or invalid RetryPolicy / decorator argument",
    "PFC012": "invalid duration",
    "PFC020": "statement not supported in a workflow",
    "PFC021": "expression not supported in a workflow",
    "PFC022": "call of something that is not a step, workflow or supported builtin of the project",
    "PFC023": "step call inside an expression",
    "PFC024": "method not supported",
    "PFC025": "assignment target not supported",
    "PFC026": "name is not defined",
    "PFC027": "wrong arguments for a step or workflow",
    "PFC028": "format spec or str.format() template that Python rejects",
    "PFC030": "Context primitive used with unsupported arguments",
    "PFC031": "ctx.parallel branch that is not a branch, or asks ctx.patched",
    "PFC032": "recursive workflow call",
    "PFC033": "except clause not supported",
    "PFC034": "raise form not supported",
    "PFC035": "break/continue outside a loop, or return inside finally",
    "PFC037": "recursive helper function call",
    "PFC038": "helper function the compiler cannot inline as Python would run it",
    "PFC080": "ctx.start_workflow handle used other than as handle.run_id and handle.result()",
    "PFC090": "a method that changes a value in place, used inside an expression",
    "PFC091": "key function that is not a lambda, a builtin of one value or a dict's .get",
    "PFC041": "a value changed in place is also reachable another way (on targets that copy values)",
    "PFC075": "a fan-out's exception items (return_exceptions, a tolerance) where values are not Python's",
}


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    path: str
    line: int
    col: int
    hint: str = ""
    severity: Severity = "error"

    def render(self, source_lines: list[str] | None = None) -> str:
        """``path:line:col: CODE message``, then the source line with a caret, then ``help: hint``."""
        out = [f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"]
        if source_lines is not None and 1 <= self.line <= len(source_lines):
            src = source_lines[self.line - 1].rstrip("\n")
            out.append(f"    {src}")
            out.append("    " + " " * max(self.col - 1, 0) + "^")
        if self.hint:
            out.append(f"  help: {self.hint}")
        return "\n".join(out)


class CompileError(Exception):
    """Raised by the compile API when there are error diagnostics; carries all of them."""

    def __init__(self, diagnostics: list[Diagnostic], source: str | Mapping[str, str] = "") -> None:
        self.diagnostics = diagnostics
        self.source = source
        super().__init__(render_all(diagnostics, source))


def render_all(diagnostics: list[Diagnostic], source: str | Mapping[str, str]) -> str:
    """Render every diagnostic, then a count. ``source``: the text of the one file they are about, or
    each file's text by its path (a workflow's diagnostics may point into the modules it imports)."""

    def lines(d: Diagnostic) -> list[str] | None:
        if isinstance(source, str):
            return source.splitlines()
        text = source.get(d.path)
        return text.splitlines() if text is not None else None

    text = "\n".join(d.render(lines(d)) for d in diagnostics)
    n_err = sum(1 for d in diagnostics if d.severity == "error")
    n_warn = len(diagnostics) - n_err
    summary = []
    if n_err:
        summary.append(f"{n_err} error{'s' if n_err != 1 else ''}")
    if n_warn:
        summary.append(f"{n_warn} warning{'s' if n_warn != 1 else ''}")
    return text + ("\n" + ", ".join(summary) if summary else "")
