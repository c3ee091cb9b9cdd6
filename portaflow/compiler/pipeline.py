"""source -> frontend -> IR passes -> backend check/compile -> project: the compile pipeline in one place.

The CLI, the offline executors and the tests go through here, so every target gets the same frontend, the
same passes chosen by its capabilities (the aliasing pass where values are copied), and the same merging of
diagnostics (all of a run's, frontend and target, sorted by position, each once).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic

if TYPE_CHECKING:
    from portaflow.backends.base import Backend
    from portaflow.backends.project import Project

    from . import ir
    from .frontend import CompileResult


def target_diagnostics(backend: Backend, program: ir.Program) -> list[Diagnostic]:
    """What ``backend`` says of a program: its own check, plus the passes its capabilities call for."""
    out = list(backend.check(program))
    if backend.capabilities.values == "copy":
        from . import aliasing

        out += aliasing.check(program, backend.title)
    return sorted(dict.fromkeys(out), key=lambda d: (d.path != program.source, d.path, d.line, d.col))


def diagnose(result: CompileResult, backend: Backend | None) -> list[Diagnostic]:
    """Every diagnostic for ``backend`` (None: the IR alone) in one run: the frontend's and the target's.

    The target also checks the program of a module with frontend errors, as far as it was lowered (a part
    it cannot handle yields no diagnostic: the frontend has reported that part); its warnings are left out
    then, since they would describe a program that cannot be built."""
    out = list(result.diagnostics)
    if backend is not None and result.program is not None:
        errors_before = bool(result.errors)
        try:
            target = target_diagnostics(backend, result.program)
        except Exception:
            if not errors_before:
                raise
            target = []  # an incomplete program
        out += [d for d in target if d not in out and (d.severity == "error" or not errors_before)]
    return sorted(dict.fromkeys(out), key=lambda d: (d.line, d.col))


@dataclass
class Compiled:
    """The outcome of compiling one workflow for one target."""

    result: CompileResult
    diagnostics: list[Diagnostic]
    project: Project | None  # None when there are errors, or for the IR alone

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


def compile_for(path: Path, workflow: str | None, backend: Backend | None) -> Compiled:
    """Compile ``path``'s ``workflow`` for ``backend`` (None: the IR only) into an in-memory project."""
    from .frontend import compile_file

    result = compile_file(path, workflow)
    diagnostics = diagnose(result, backend)
    project = None
    if (
        backend is not None
        and result.program is not None
        and not any(d.severity == "error" for d in diagnostics)
    ):
        project = backend.compile(result.program, path)
        project.diagnostics = [d for d in diagnostics if d.severity == "warning"]
    return Compiled(result, diagnostics, project)
