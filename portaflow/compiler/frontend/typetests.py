"""``isinstance(x, T)`` and ``isinstance(x, (T1, T2))`` over the JSON types' classes, lowered to the
catalogue's ``isinstance`` row: ``Call("isinstance", (x, Const([names]), Const(line)))``.

The names are those of :data:`CLASSES` as written; ``line`` is where the workflow's module first makes a tuple
that outlives its expression (a tuple literal kept as a value, ``zip``/``enumerate``/``d.items()`` pairs or a
``partition`` result kept whole), 0 when it makes none. A target whose values are JSON (tuples are lists
there) reads it to refuse ``list``/``tuple`` tests it cannot answer; with no tuple made, no value of the run
is a tuple (inputs, step results and event payloads are JSON), so ``isinstance(x, tuple)`` is False and
``isinstance(x, list)`` is the JSON array test on every target."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from .. import ir
from .common import CATCH_ALL, Unsupported

if TYPE_CHECKING:
    from .lowerer import WorkflowLowerer

CLASSES = ("int", "float", "str", "bool", "list", "dict", "tuple")
_HINT = "isinstance(x, dict), isinstance(x, (int, float)): of the classes " + ", ".join(CLASSES)
# calls whose result holds tuples (pairs, or partition's 3-tuple)
_TUPLE_CALLS = ("zip", "enumerate", "items", "partition", "rpartition", "divmod")


def isinstance_call(lw: WorkflowLowerer, n: cst.Call) -> ir.Expr:
    if len(n.args) != 2 or any(a.keyword is not None or a.star for a in n.args):
        lw.error("PFC021", n, "isinstance() takes a value and a class or a tuple of classes", _HINT)
        raise Unsupported
    value = lw.expr(n.args[0].value)
    spec = n.args[1].value
    elements = [e.value for e in spec.elements] if isinstance(spec, cst.Tuple) else [spec]
    errors = [_exception_class(lw, el) for el in elements]
    if elements and all(errors):
        return _is_error(lw, value, [e for e in errors if e])
    names: list[str] = []
    for el in elements:
        if isinstance(el, cst.Name) and el.value in CLASSES and el.value not in lw.locals:
            names.append(el.value)
            continue
        what = "None's class" if lw.fe.code(el) in ("type(None)", "NoneType") else f"`{lw.fe.code(el)}`"
        lw.error(
            "PFC021",
            el,
            f"isinstance() of {what} is not supported: a workflow's values are JSON values",
            "test None with `x is None`; otherwise " + _HINT,
        )
        raise Unsupported
    line = first_tuple_line(lw)
    return ir.Call("isinstance", (value, ir.Const(names, "list"), ir.Const(line, "int")), (), "bool")


def _exception_class(lw: WorkflowLowerer, el: cst.BaseExpression) -> str | None:
    """The name of the exception class ``el`` names (StepFailed, a built-in or a project's class deriving
    from one), else None."""
    if not isinstance(el, cst.Name | cst.Attribute) or (isinstance(el, cst.Name) and el.value in lw.locals):
        return None
    name = lw.fe.dotted(el).rsplit(".", 1)[-1]
    tree = lw.fe.exception_tree()
    seen: set[str] = set()
    todo = [name]
    while todo:
        n = todo.pop()
        if n in ("BaseException", "StepFailed"):
            return name
        if n not in seen:
            seen.add(n)
            todo += tree.get(n, ())
    return None


def _is_error(lw: WorkflowLowerer, value: ir.Expr, names: list[str]) -> ir.Expr:
    """``isinstance(x, SomeError)``: matched as ``except SomeError`` matches (``ir.IsError``)."""
    catch_all = bool(CATCH_ALL & set(names))
    matches = () if catch_all else lw.fe.exception_matches(names)
    return ir.IsError(value, tuple(names), matches, catch_all)


def first_tuple_line(lw: WorkflowLowerer) -> int:
    """The first line of the module's workflows where a tuple that outlives its expression is made, or 0."""
    lines = [
        lw.fe.pos(node).line
        for wf in lw.info.workflows.values()
        for node in _TupleMakers().found(wf.node.body)
    ]
    return min(lines, default=0)


class _TupleMakers(cst.CSTVisitor):
    """Tuple displays and tuple-making calls whose tuples are not unpacked at once: not assignment or loop
    targets, not ``a, b = 1, 2`` / ``k, _, v = s.partition(":")`` / ``for k, v in d.items()``, not the
    classes of ``except (A, B)`` or of ``isinstance``, not ``dict(zip(...))``, not a lambda's result (the
    ``key=`` of sorted/min/max/sort, which only compares it)."""

    def __init__(self) -> None:
        self.makers: list[cst.CSTNode] = []
        self.unpacked: set[int] = set()

    def found(self, body: cst.CSTNode) -> list[cst.CSTNode]:
        body.visit(self)
        return [m for m in self.makers if id(m) not in self.unpacked]

    def _skip(self, node: cst.CSTNode | None) -> None:
        if node is not None:
            self.unpacked.add(id(node))

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            self._skip(t.target)
        if all(isinstance(t.target, (cst.Tuple, cst.List)) for t in node.targets):
            self._skip(node.value)

    def visit_For(self, node: cst.For) -> None:
        self._skip(node.target)
        if isinstance(node.target, (cst.Tuple, cst.List)):
            self._skip(node.iter)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._skip(node.target)
        if isinstance(node.target, (cst.Tuple, cst.List)):
            self._skip(node.iter)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._skip(node.type)

    def visit_Tuple(self, node: cst.Tuple) -> None:
        self.makers.append(node)

    def visit_Call(self, node: cst.Call) -> None:
        f = node.func
        name = f.value if isinstance(f, cst.Name) else f.attr.value if isinstance(f, cst.Attribute) else ""
        if name == "isinstance" and len(node.args) == 2:
            self._skip(node.args[1].value)
        if name == "dict" and len(node.args) == 1:
            self._skip(node.args[0].value)
        for a in node.args:  # json.dumps's separators are read, never kept
            if name == "dumps" and a.keyword is not None and a.keyword.value == "separators":
                self._skip(a.value)
        for a in node.args:  # a key function's tuple: compared by sorted/min/max/sort, never kept
            if a.keyword is not None and a.keyword.value == "key" and isinstance(a.value, cst.Lambda):
                self._skip(a.value.body)
        if name in _TUPLE_CALLS:
            self.makers.append(node)
