"""What every part of the frontend shares: the catalogue's tables as the frontend reads them, the static
types of literal values, and the exceptions that stop lowering a statement."""

from __future__ import annotations

import builtins
from typing import Any

import libcst as cst

from .. import catalog, ir
from ..catalog import Signature

# Every builtin and method a workflow may call, from the one catalogue (catalog.py, docs/dsl.md): ``name``
# for builtins, ``str.``/``dict.``/``list.``/``datetime.`` + the method, ``json.`` + the function.
BUILTINS_SUPPORTED = frozenset(catalog.BUILTINS)
STR_METHODS = frozenset(catalog.methods("str"))
DICT_METHODS = catalog.methods("dict")  # in catalogue order, as hints list them
# methods of ctx.now()'s datetime that every target computes alike (docs/ir.md) -> result type
DATETIME_METHODS: dict[str, ir.Type] = {
    m: catalog.CATALOG[f"datetime.{m}"].result for m in catalog.methods("datetime")
}
LIST_MUTATORS = frozenset(m for m in catalog.methods("list") if catalog.CATALOG[f"list.{m}"].mutates)
# How each may be called; checked by calls.arguments.
SIGNATURES: dict[str, Signature] = {row.name: row.signature for row in catalog.ROWS}
# `except StepFailed` is not one of them: it catches the failures of steps only (docs/semantics.md "Retries")
CATCH_ALL = {"Exception", "BaseException"}
ANNOTATION_TYPES: dict[str, ir.Type] = {
    "int": "int",
    "float": "float",
    "str": "str",
    "bool": "bool",
    "None": "none",
    "list": "list",
    "dict": "dict",
    "List": "list",
    "Dict": "dict",
}


def _builtin_exception_tree() -> dict[str, tuple[str, ...]]:
    """name -> names of its bases, for every exception class in ``builtins``."""
    tree: dict[str, tuple[str, ...]] = {}
    for name in dir(builtins):
        obj = getattr(builtins, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            tree[name] = tuple(b.__name__ for b in obj.__bases__)
    return tree


# the built-ins and what the wait of a workflow may raise: an event delivered as a failure (EventFailed, also
# the class it names, matched by that name) and a wait's timeout under raise_on_timeout (EventTimeout)
BUILTIN_EXCEPTIONS = {
    **_builtin_exception_tree(),
    "EventFailed": ("Exception",),
    "EventTimeout": ("TimeoutError",),
    "TooManyFailures": ("Exception",),  # a fan-out past its tolerated failures
    # ChildRun.result() of a child run that failed (also an instance of the class the child's error names)
    "ChildFailed": ("Exception",),
}


NOT_LITERAL: Any = object()


BINARY_OPS: dict[type, str] = {
    cst.Add: "+",
    cst.Subtract: "-",
    cst.Multiply: "*",
    cst.Divide: "/",
    cst.FloorDivide: "//",
    cst.Modulo: "%",
    cst.Power: "**",
}
AUG_OPS: dict[type, str] = {
    cst.AddAssign: "+",
    cst.SubtractAssign: "-",
    cst.MultiplyAssign: "*",
    cst.DivideAssign: "/",
    cst.FloorDivideAssign: "//",
    cst.ModuloAssign: "%",
    cst.PowerAssign: "**",
}


class Unsupported(Exception):
    pass


class BadArguments(Unsupported):
    """A builtin or method called with arguments its signature refuses (reported): the call's value is a
    placeholder, so that lowering goes on and reports the rest of the statement too."""


def type_of_value(v: Any) -> ir.Type:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    if isinstance(v, (list, tuple)):
        return "list"
    if isinstance(v, dict):
        return "dict"
    return "any"


def names_in(node: cst.CSTNode) -> list[cst.Name]:
    """Every ``Name`` below ``node``."""

    class V(cst.CSTVisitor):
        def __init__(self) -> None:
            self.found: list[cst.Name] = []

        def visit_Name(self, n: cst.Name) -> None:
            self.found.append(n)

    v = V()
    node.visit(v)
    return v.found
