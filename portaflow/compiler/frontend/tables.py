"""Module-level names used as values: a table of steps read for its keys, and what the compiler says about
every other module-level name that is no literal constant.

A table of steps (``TOOLS = {"search": search, ...}``) is called through (``TOOLS[name](...)``, lowered in
:mod:`.calls`) and introspected: ``name in TOOLS``, ``TOOLS.keys()``, ``sorted(TOOLS)``, ``len(TOOLS)``,
``list(TOOLS)``, ``for name in TOOLS`` read its keys only, which the compiler knows, so there the table is
the constant ``{key: None, ...}``, which answers every one of them as the table does. Anywhere else (its
values, ``TOOLS.get(name)``, ``TOOLS`` passed on or stored) a step would be a value, which no target has:
refused, saying which uses work."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from .. import ir
from .common import Unsupported
from .modules import Resolved

if TYPE_CHECKING:
    from .lowerer import WorkflowLowerer

#: builtins whose first argument only has its keys read (iterating a dict gives its keys)
KEY_READERS = frozenset({"sorted", "len", "list", "min", "max", "any", "all", "enumerate", "sum"})
_USES = "`name in T`, `T.keys()`, `sorted(T)`, `len(T)`, `list(T)`, `for name in T`, and calls `T[name](...)`"


class _KeyReads(cst.CSTVisitor):
    """The ids of the ``Name`` nodes of a module that stand where only a mapping's keys are read."""

    def __init__(self) -> None:
        self.found: set[int] = set()

    def _name(self, node: cst.BaseExpression) -> None:
        if isinstance(node, cst.Name):
            self.found.add(id(node))

    def visit_ComparisonTarget(self, node: cst.ComparisonTarget) -> None:
        if isinstance(node.operator, (cst.In, cst.NotIn)):
            self._name(node.comparator)

    def visit_Call(self, node: cst.Call) -> None:
        f = node.func
        first = node.args[0] if node.args else None
        plain = first is not None and not first.keyword and not first.star
        if isinstance(f, cst.Name) and f.value in KEY_READERS and first is not None and plain:
            self._name(first.value)
        if isinstance(f, cst.Attribute) and f.attr.value == "keys" and not node.args:
            self._name(f.value)

    def visit_For(self, node: cst.For) -> None:
        self._name(node.iter)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._name(node.iter)


def _key_reads(lw: WorkflowLowerer) -> set[int]:
    """The key-reading positions of the module being lowered, found once per module."""
    if lw.info.key_reads is None:
        visitor = _KeyReads()
        lw.info.module.visit(visitor)
        lw.info.key_reads = visitor.found
    return lw.info.key_reads


def table_value(lw: WorkflowLowerer, n: cst.Name, table: Resolved) -> ir.Expr:
    """The table of steps ``n`` names, where only its keys are read: ``{key: None, ...}``."""
    assert table.module is not None
    keys = table.module.step_tables[table.name]
    if id(n) in _key_reads(lw):
        return ir.Const(dict.fromkeys(keys), "dict")
    kinds = {
        (t.kind if t is not None else "?")
        for t in (lw.fe.resolve_name(table.module, v) for v in keys.values())
    }
    if kinds <= {"step", "workflow", "function"}:
        message = (
            f"{n.value!r} is a table of steps ({table.where()}): a workflow reads only its keys, and calls "
            "its entries through it; a function is no value on any target"
        )
        hint = f"use {_USES.replace('T', n.value)}"
    else:
        message = (
            f"{n.value!r} ({table.where()}) is a dict whose values are names, not literals: the compiler "
            "reads only its keys"
        )
        hint = "write its values as literals (or read only its keys: `name in T`, `sorted(T)`)"
    lw.error("PFC026", n, message, hint)
    raise Unsupported


#: what each kind of module-level name is, for the refusal of its use as a value
_KINDS = {
    "function": (
        "a function",
        "call it (a plain function is inlined: docs/dsl.md), or make the value a module-level literal",
    ),
    "class": ("a class", "raise or catch it by name; values in a workflow are JSON: make it a literal"),
    "policy": ("a RetryPolicy", "pass it to @step(retry=...) at module level"),
    "value": (
        "a module-level value that is not a literal",
        "make it a literal (numbers, strings, bools, None, lists and dicts of them), computed by nothing",
    ),
    "module": ("a module", "use one of its names: module.NAME"),
    "external": (
        "imported from outside the project",
        "the compiler reads only the project's source: compute the value in a @step, or write a literal",
    ),
}


def not_a_value(lw: WorkflowLowerer, n: cst.Name, named: Resolved) -> None:
    """PFC026 saying what a module-level name is, when it is no value a workflow can read."""
    kind = _KINDS.get(named.kind)
    if kind is None:
        return
    what, hint = kind
    where = f" ({named.where()})" if named.module is not None and named.kind != "module" else ""
    lw.error(
        "PFC026",
        n,
        f"{n.value!r} is {what}{where}, not a value the compiler can read: module-level names a workflow "
        "reads are literal constants",
        hint,
    )
    raise Unsupported
