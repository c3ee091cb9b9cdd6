"""Compiler: libcst frontend, the IR every backend consumes, and diagnostics (see docs/ir.md)."""
