"""What a name or expression resolves to (the ``Resolved`` kinds) and the scopes that bind names, built
the way Python binds them; :mod:`portaflow.lint.engine.resolve` walks them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import libcst as cst

from portaflow.lint.engine.context_flow import ContextFlow, analyze_context_flow, rebound_reason
from portaflow.lint.engine.index import (
    ClassInfo,
    FunctionInfo,
    ImportRef,
    ModuleInfo,
    absolute_module,
    target_names,
)
from portaflow.lint.engine.walk import children
from portaflow.source.names import dotted_name

if TYPE_CHECKING:
    from portaflow.lint.engine.resolve import Resolver


# -- what an expression can resolve to -----------------------------------------------------------------------
class Resolved:
    __slots__ = ()


@dataclass(frozen=True, slots=True, eq=False)
class External(Resolved):
    """Something outside the linted tree, by qualified name; ``X()`` in it marks an instance made by X."""

    qname: str
    import_ref: ImportRef | None = None
    origin_call: cst.Call | None = None  # the call in checked code that created the instance, if any
    shared: bool = False  # an instance created at import time and kept in a module-level variable


@dataclass(frozen=True, slots=True, eq=False)
class FunctionRef(Resolved):
    func: FunctionInfo


@dataclass(frozen=True, slots=True, eq=False)
class ClassRef(Resolved):
    cls: ClassInfo


@dataclass(frozen=True, slots=True, eq=False)
class InstanceRef(Resolved):
    cls: ClassInfo


@dataclass(frozen=True, slots=True, eq=False)
class ModuleRef(Resolved):
    module: ModuleInfo


@dataclass(frozen=True, slots=True, eq=False)
class ContextRef(Resolved):
    name: str


@dataclass(frozen=True, slots=True, eq=False)
class Variable(Resolved):
    """A variable whose value is not a known object: its values and annotations are kept for rules."""

    name: str
    values: tuple[cst.BaseExpression, ...]
    annotations: tuple[cst.BaseExpression, ...]
    scope: Scope | None  # None: a module-level variable of ``module``
    module: ModuleInfo


@dataclass(frozen=True, slots=True, eq=False)
class Unknown(Resolved):
    pass


UNKNOWN = Unknown()


# -- scopes --------------------------------------------------------------------------------------------------
@dataclass(eq=False, slots=True)
class Binding:
    kind: Literal["param", "import", "def", "class", "assign", "other"]
    value: cst.BaseExpression | None = None
    annotation: cst.BaseExpression | None = None
    target: str | None = None
    import_ref: ImportRef | None = None
    is_context: bool = False
    self_of: ClassInfo | None = None
    cls_of: ClassInfo | None = None


@dataclass(eq=False, slots=True)
class Scope:
    kind: Literal["function", "lambda", "comprehension", "class"]
    parent: Scope | None
    module: ModuleInfo
    node: cst.CSTNode
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    nonlocal_names: set[str] = field(default_factory=set)
    context_name: str | None = None  # the workflow Context visible here, if any
    context_flow: ContextFlow | None = None  # where that name is rebound (None: never)
    context_deferred: bool = False  # in a function nested in the one whose parameter the Context is
    context_shadowed: str | None = None  # the Context's name, when this scope binds it to something else

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def is_local(self, name: str) -> bool:
        return name in self.bindings and name not in self.global_names and name not in self.nonlocal_names

    def context_at(self, node: cst.CSTNode) -> tuple[str | None, str | None]:
        """(the name that refers to the workflow's Context where ``node`` is evaluated, or None; and why
        not)."""
        name = self.context_name
        if name is None:
            shadowed = self.context_shadowed
            return None, rebound_reason(shadowed) if shadowed is not None else None
        flow = self.context_flow
        if flow is None or (not self.context_deferred and flow.is_safe_at(node)):
            return name, None
        return None, rebound_reason(name)


_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def _bind_target(scope: Scope, target: cst.BaseExpression, binding: Binding) -> None:
    for name in target_names(target):
        scope.bind(name.value, binding)


def _bind_def(scope: Scope, node: cst.CSTNode) -> bool:
    assert isinstance(node, (cst.FunctionDef, cst.ClassDef))
    scope.bind(node.name.value, Binding("def" if isinstance(node, cst.FunctionDef) else "class"))
    return False


def _bind_assign(scope: Scope, node: cst.CSTNode) -> bool:
    assert isinstance(node, cst.Assign)
    single = len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name)
    for t in node.targets:
        _bind_target(scope, t.target, Binding("assign", value=node.value if single else None))
    return True


def _bind_ann_assign(scope: Scope, node: cst.CSTNode) -> bool:
    assert isinstance(node, cst.AnnAssign)
    binding = Binding("assign", value=node.value, annotation=node.annotation.annotation)
    _bind_target(scope, node.target, binding)
    return True


def _bind_other_target(scope: Scope, node: cst.CSTNode) -> bool:
    assert isinstance(node, (cst.AugAssign, cst.For, cst.Del))
    _bind_target(scope, node.target, Binding("other"))
    return True


def _bind_with_item(scope: Scope, node: cst.CSTNode) -> bool:
    assert isinstance(node, cst.WithItem)
    if node.asname is not None:
        single = isinstance(node.asname.name, cst.Name)
        _bind_target(scope, node.asname.name, Binding("assign", value=node.item if single else None))
    return True


def _bind_handler(scope: Scope, node: cst.CSTNode) -> bool:
    assert isinstance(node, (cst.ExceptHandler, cst.ExceptStarHandler))
    if node.name is not None and isinstance(node.name.name, cst.Name):
        scope.bind(node.name.name.value, Binding("other"))
    return True


def _bind_walrus(scope: Scope, node: cst.CSTNode) -> bool:
    assert isinstance(node, cst.NamedExpr)
    _bind_target(scope, node.target, Binding("assign", value=node.value))
    return True


def _bind_global(scope: Scope, node: cst.CSTNode) -> bool:
    assert isinstance(node, cst.Global)
    scope.global_names.update(n.name.value for n in node.names)
    return False


def _bind_nonlocal(scope: Scope, node: cst.CSTNode) -> bool:
    assert isinstance(node, cst.Nonlocal)
    scope.nonlocal_names.update(n.name.value for n in node.names)
    return False


def _bind_import(scope: Scope, node: cst.CSTNode) -> bool:
    assert isinstance(node, cst.Import)
    for alias in node.names:
        full = dotted_name(alias.name) or ""
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            asname = alias.asname.name.value
            scope.bind(asname, Binding("import", target=full, import_ref=ImportRef(full, None, asname)))
        else:
            first = full.split(".")[0]
            scope.bind(first, Binding("import", target=first, import_ref=ImportRef(full, None, None)))
    return False


def _bind_import_from(scope: Scope, node: cst.CSTNode) -> bool:
    assert isinstance(node, cst.ImportFrom)
    if isinstance(node.names, cst.ImportStar):
        return False
    level = len(node.relative)
    modname = dotted_name(node.module) if node.module is not None else None
    base = absolute_module(scope.module, level, modname)
    for alias in node.names:
        obj = dotted_name(alias.name) or ""
        local, asname = obj, None
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            local = asname = alias.asname.name.value
        ref = ImportRef("." * level + (modname or ""), obj, asname)
        scope.bind(local, Binding("import", target=f"{base}.{obj}" if base else obj, import_ref=ref))
    return False


def _bind_match_name(scope: Scope, node: cst.CSTNode) -> bool:
    assert isinstance(node, (cst.MatchAs, cst.MatchStar))
    if node.name is not None:
        scope.bind(node.name.value, Binding("other"))
    return True


def _bind_match_mapping(scope: Scope, node: cst.CSTNode) -> bool:
    assert isinstance(node, cst.MatchMapping)
    if node.rest is not None:
        scope.bind(node.rest.value, Binding("other"))
    return True


def _stop(scope: Scope, node: cst.CSTNode) -> bool:
    return False


def _bind_comprehension(scope: Scope, node: cst.CSTNode) -> bool:
    """A walrus inside a comprehension binds in the enclosing scope (not one inside a lambda)."""
    stack = list(children(node))
    while stack:
        current = stack.pop()
        if isinstance(current, cst.NamedExpr):
            _bind_walrus(scope, current)
        if not isinstance(current, cst.Lambda):
            stack.extend(children(current))
    return False


# node type -> records its bindings; returns whether to look inside it
_BINDERS: dict[type[cst.CSTNode], Callable[[Scope, cst.CSTNode], bool]] = {
    cst.FunctionDef: _bind_def,
    cst.ClassDef: _bind_def,
    cst.Lambda: _stop,
    cst.ListComp: _bind_comprehension,
    cst.SetComp: _bind_comprehension,
    cst.DictComp: _bind_comprehension,
    cst.GeneratorExp: _bind_comprehension,
    cst.Assign: _bind_assign,
    cst.AnnAssign: _bind_ann_assign,
    cst.AugAssign: _bind_other_target,
    cst.For: _bind_other_target,
    cst.Del: _bind_other_target,
    cst.WithItem: _bind_with_item,
    cst.ExceptHandler: _bind_handler,
    cst.ExceptStarHandler: _bind_handler,
    cst.NamedExpr: _bind_walrus,
    cst.Global: _bind_global,
    cst.Nonlocal: _bind_nonlocal,
    cst.Import: _bind_import,
    cst.ImportFrom: _bind_import_from,
    cst.MatchAs: _bind_match_name,
    cst.MatchStar: _bind_match_name,
    cst.MatchMapping: _bind_match_mapping,
}


def collect_bindings(scope: Scope, roots: Sequence[cst.CSTNode]) -> None:
    """Record every name bound in ``roots`` (not in nested functions, classes, lambdas, comprehensions)."""
    stack: list[cst.CSTNode] = list(roots)
    binders = _BINDERS
    while stack:
        node = stack.pop()
        binder = binders.get(type(node))
        if binder is not None and not binder(scope, node):
            continue
        stack.extend(children(node))


def _params(params: cst.Parameters) -> Iterator[cst.Param]:
    yield from params.posonly_params
    yield from params.params
    if isinstance(params.star_arg, cst.Param):
        yield params.star_arg
    yield from params.kwonly_params
    if params.star_kwarg is not None:
        yield params.star_kwarg


def function_scope(
    node: cst.FunctionDef | cst.Lambda,
    parent: Scope | None,
    module: ModuleInfo,
    resolver: Resolver,
    *,
    info: FunctionInfo | None = None,
) -> Scope:
    kind: Literal["function", "lambda"] = "lambda" if isinstance(node, cst.Lambda) else "function"
    scope = Scope(kind, parent, module, node)
    context_param = info.context_param if info is not None and info.kind == "workflow" else None
    for index, param in enumerate(_params(node.params)):
        name = param.name.value
        annotation = param.annotation.annotation if param.annotation is not None else None
        binding = Binding("param", annotation=annotation)
        if info is not None and info.cls is not None and index == 0 and not info.is_static:
            if info.is_classmethod:
                binding.cls_of = info.cls
            else:
                binding.self_of = info.cls
        elif name == context_param or (
            annotation is not None and resolver.is_context_annotation(annotation, parent, module)
        ):
            binding.is_context = True
            scope.context_name = name
        scope.bind(name, binding)
    collect_bindings(scope, [node.body])
    own = scope.context_name
    if own is not None and (len(scope.bindings[own]) > 1 or "nonlocal" in module.text):
        scope.context_flow = analyze_context_flow(node.body, own, _binds_name(own, module))
    _inherit_context(scope)
    return scope


def _binds_name(name: str, module: ModuleInfo) -> Callable[[cst.CSTNode], bool]:
    def binds(node: cst.CSTNode) -> bool:
        binder = _BINDERS.get(type(node))
        if binder is None:
            return False
        probe = Scope("function", None, module, node)
        binder(probe, node)
        return name in probe.bindings

    return binds


def _inherit_context(scope: Scope) -> None:
    parent = scope.parent
    if scope.context_name is None and parent is not None:
        inherited = parent.context_name or parent.context_shadowed
        if inherited is None:
            return
        if scope.is_local(inherited) or inherited in scope.global_names or parent.context_name is None:
            scope.context_shadowed = inherited
            return
        scope.context_name = inherited
        scope.context_flow = parent.context_flow
        scope.context_deferred = parent.context_deferred or scope.kind in ("function", "lambda")


def comprehension_scope(
    node: cst.ListComp | cst.SetComp | cst.DictComp | cst.GeneratorExp,
    parent: Scope | None,
    module: ModuleInfo,
) -> Scope:
    scope = Scope("comprehension", parent, module, node)
    comp: cst.CompFor | None = node.for_in
    while comp is not None:
        _bind_target(scope, comp.target, Binding("other"))
        comp = comp.inner_for_in
    _inherit_context(scope)
    return scope


def class_scope(node: cst.ClassDef, parent: Scope | None, module: ModuleInfo) -> Scope:
    scope = Scope("class", parent, module, node)
    collect_bindings(scope, [node.body])
    _inherit_context(scope)
    return scope
