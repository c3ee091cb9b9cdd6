"""What the Cloudflare target refuses: the expressions the TypeScript lowering cannot make exact
(:mod:`.expr`)."""

from __future__ import annotations

from portaflow.compiler import ir
from portaflow.compiler.diagnostics import Diagnostic


def check(program: ir.Program) -> list[Diagnostic]:
    return []
