"""The libcst frontend: parse a workflow module (never importing it) and lower one workflow to the IR.

Steps and child workflows the module imports from the project's other modules are found with
:mod:`portaflow.source.finder` and read from their source the same way; each is lowered once, in its own
module. Every problem becomes a :class:`~portaflow.compiler.diagnostics.Diagnostic`; lowering goes on after
an error so that one run reports them all.

| module | what it lowers |
|---|---|
| ``modules`` | reading modules: top-level names, imports resolved, literals, durations, exception classes |
| ``program`` | the frontend: steps' options and retry policies; a workflow lowered once, by key |
| ``lowerer`` | one workflow's body: its state, the dispatch by node type |
| ``statements``, ``assignments`` | one function per statement kind (``STATEMENTS``) |
| ``expressions`` | one function per expression kind (``EXPRESSIONS``) |
| ``calls``, ``methods`` | calls of steps, child workflows, tables of steps, builtins; methods of values |
| ``context`` | the Context's primitives (``PRIMITIVES``) |
| ``helpers``, ``returns``, ``letexpr`` | helper functions inlined at each call (returns; expressions) |
| ``tables`` | module-level names as values: a table of steps' keys; what any other non-literal name is |
| ``compile`` | :func:`compile_source`, :func:`compile_file` |
"""

from .common import (
    BUILTINS_SUPPORTED,
    DATETIME_METHODS,
    DICT_METHODS,
    LIST_MUTATORS,
    SIGNATURES,
    STR_METHODS,
)
from .compile import CompileResult, compile_file, compile_source
from .modules import ModuleInfo
from .program import Frontend

__all__ = [
    "BUILTINS_SUPPORTED",
    "DATETIME_METHODS",
    "DICT_METHODS",
    "LIST_MUTATORS",
    "SIGNATURES",
    "STR_METHODS",
    "CompileResult",
    "Frontend",
    "ModuleInfo",
    "compile_file",
    "compile_source",
]
