"""Which decorators are portaflow's ``@step`` and ``@workflow``: the one rule lint and the compiler share.

A decorator counts when the name it is written with resolves, through the module's imports, to portaflow's
``step`` or ``workflow``: ``from portaflow import step``, ``import portaflow as pf; @pf.step(...)``, ``from
portaflow import step as activity``, ``from portaflow.dsl import step``, or any of those re-exported by
one of the project's own modules. A ``@step`` that resolves elsewhere (``from celery import step``, a local
``def step(f)``) is not portaflow's, so its function is a plain function to lint and to the compiler alike.

Snippets and docs often write a bare ``@step`` without importing it: a name the module does not bind at all
(and cannot get from a star import of anything but portaflow) means the DSL's.

Each engine resolves names with its own resolver (lint's scopes, the compiler's module index) and passes
the result here: this module only decides. It imports libcst: only lint and the compiler, which parse,
import it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import libcst as cst

DslKind = Literal["step", "workflow"]
DSL_DECORATORS: frozenset[str] = frozenset({"step", "workflow"})


def is_portaflow_name(qname: str) -> bool:
    """Whether a qualified name is portaflow's own (``portaflow``, ``portaflow.dsl.decorators``...)."""
    return qname == "portaflow" or qname.startswith("portaflow.")


def dsl_kind(qname: str | None) -> DslKind | None:
    """``step``/``workflow`` when the qualified name is portaflow's decorator of that name, wherever in
    portaflow it is reached from (``portaflow.step``, ``portaflow.dsl.decorators.step``)."""
    if qname is None or not qname.startswith("portaflow."):
        return None
    last = qname.rpartition(".")[2]
    if last == "step":
        return "step"
    return "workflow" if last == "workflow" else None


def dotted_name(expr: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts: list[str] = []
    node: cst.BaseExpression = expr
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def decorator_callee(decorator: cst.BaseExpression) -> cst.BaseExpression:
    """The decorator without its arguments: ``pf.step`` of ``@pf.step(retries=3)``."""
    return decorator.func if isinstance(decorator, cst.Call) else decorator


def decorator_kind(
    qname: str | None, *, dotted: str | None, root_bound: bool, star_imports: Iterable[str] = ()
) -> DslKind | None:
    """What a decorator makes of its function.

    ``qname``: the qualified name the decorator's callee resolves to (None: the resolver cannot say);
    ``dotted``: the callee as written (``pf.step``), None when it is not a dotted name; ``root_bound``:
    whether the module binds the callee's first name; ``star_imports``: the absolute names of the modules
    it star-imports (a bare name may come from one of them)."""
    if qname is not None:
        return dsl_kind(qname)
    if dotted not in DSL_DECORATORS or root_bound:
        return None
    stars = list(star_imports)
    if stars and not any(is_portaflow_name(m) for m in stars):
        return None  # `from helpers import *` may bind it: unknown, so not the DSL's
    return "step" if dotted == "step" else "workflow"
