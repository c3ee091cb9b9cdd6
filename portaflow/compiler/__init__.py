"""Compiler: libcst frontend, the IR every backend consumes, and diagnostics (see docs/ir.md)."""

from .diagnostics import CompileError, Diagnostic
from .frontend import CompileResult, compile_file, compile_source

__all__ = ["CompileError", "CompileResult", "Diagnostic", "compile_file", "compile_source"]
