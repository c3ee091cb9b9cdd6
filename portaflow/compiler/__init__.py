"""Compiler: libcst frontend, the IR every backend consumes, and diagnostics (see docs/ir.md).

The frontend (and so libcst) is imported on first use of ``compile_file``, ``compile_source`` or
``CompileResult``, so that importing a light part of the compiler (the IR, diagnostics, the CLI's
parsers) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .diagnostics import CompileError, Diagnostic

if TYPE_CHECKING:
    from .frontend import CompileResult, compile_file, compile_source

__all__ = ["CompileError", "CompileResult", "Diagnostic", "compile_file", "compile_source"]

_LAZY = {"CompileResult", "compile_file", "compile_source"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import frontend

        return getattr(frontend, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
