"""Where the Context parameter's name still refers to the Context: the fixes may only write it there.

A function whose Context parameter is never rebound (the usual case) costs nothing here. Otherwise its body is
numbered once in evaluation order (libcst's field order, which puts an assignment's targets before its value:
the conservative side), and a point is safe when it comes before every rebinding of the name and shares no
loop with one. Code run later (a nested function or lambda) is safe only when the name is never rebound, and a
nested function that declares the name ``nonlocal`` may rebind it at any time, so then no point is safe."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from portaflow.lint.engine.walk import children

_LOOPS = (cst.For, cst.While, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_DEFERRED = (cst.FunctionDef, cst.Lambda, cst.ClassDef)  # their bodies bind names in a scope of their own

Binds = Callable[[cst.CSTNode], bool]  # whether a node binds the name in the scope it is evaluated in


def rebound_reason(name: str) -> str:
    return (
        f"no automatic fix here: `{name}` no longer refers to the workflow's Context here (the name is "
        "rebound or shadowed); keep the Context under a name that is not reassigned"
    )


@dataclass(eq=False, slots=True)
class ContextFlow:
    """The evaluation order of one function body, and where it rebinds the Context's name."""

    name: str
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)  # id(node) -> (first, last) number
    rebinds: list[int] = field(default_factory=list)
    loops: list[tuple[int, int]] = field(default_factory=list)
    anytime: bool = False  # a nested function declares the name ``nonlocal``: rebound at unknown times

    @property
    def rebound(self) -> bool:
        return self.anytime or bool(self.rebinds)

    def is_safe_at(self, node: cst.CSTNode) -> bool:
        """Whether the name still refers to the Context whenever ``node`` is evaluated in this body."""
        if self.anytime:
            return False
        span = self.spans.get(id(node))
        if span is None:
            return not self.rebinds
        start, end = span
        for rebind in self.rebinds:
            if rebind <= end:
                return False  # the rebinding may run first (or the point is part of it)
            for loop_start, loop_end in self.loops:
                if loop_start <= start and end <= loop_end and rebind <= loop_end:
                    return False  # the next iteration runs the point again, after the rebinding
        return True


def analyze_context_flow(body: cst.CSTNode, name: str, binds: Binds) -> ContextFlow | None:
    """The flow of ``name`` in a function ``body``; None when the body never rebinds it."""
    flow = ContextFlow(name)
    counter = 0

    def number(node: cst.CSTNode, binds_here: bool) -> None:
        nonlocal counter
        start = counter
        counter += 1
        if binds_here:
            if binds(node):
                flow.rebinds.append(start)
            if isinstance(node, (cst.FunctionDef, cst.ClassDef)) and _declares_nonlocal(node, name):
                flow.anytime = True
        inner = binds_here and not isinstance(node, _DEFERRED)
        for child in children(node):
            number(child, inner)
        flow.spans[id(node)] = (start, counter - 1)
        if binds_here and isinstance(node, _LOOPS):
            flow.loops.append((start, counter - 1))

    number(body, True)
    return flow if flow.rebound else None


def _declares_nonlocal(node: cst.CSTNode, name: str) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Nonlocal) and any(n.name.value == name for n in current.names):
            return True
        stack.extend(children(current))
    return False
