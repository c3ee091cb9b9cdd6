"""Walks one function that a workflow reaches: resolves names, records calls into the project, runs rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import libcst as cst

from portaflow.lint.engine.index import FunctionInfo, ModuleInfo
from portaflow.lint.engine.resolve import Resolver, unwrap_optional
from portaflow.lint.engine.scopes import (
    ClassRef,
    External,
    FunctionRef,
    InstanceRef,
    Resolved,
    Scope,
    Variable,
    class_scope,
    comprehension_scope,
    function_scope,
)
from portaflow.lint.engine.walk import children
from portaflow.lint.rules._fixes import NO_CONTEXT
from portaflow.lint.rules.base import Fix, Report, Rule

_FACTORY_NO_FIX = (
    "no automatic fix here: a default factory runs in the __init__ the class generates, where no Context is "
    "available; pass the value in where the workflow constructs the object"
)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_CONSTRUCTOR_METHODS = ("__new__", "__init__", "__post_init__")
SET_METHODS_RETURNING_SETS = frozenset(
    {"union", "intersection", "difference", "symmetric_difference", "copy"}
)
SET_TYPE_NAMES = frozenset(
    {
        "builtins.set",
        "builtins.frozenset",
        "typing.Set",
        "typing.FrozenSet",
        "typing.AbstractSet",
        "typing.MutableSet",
        "collections.abc.Set",
        "collections.abc.MutableSet",
    }
)


@dataclass(eq=False, slots=True)
class RawFinding:
    rule: type[Rule]
    node: cst.CSTNode
    message: str
    function: FunctionInfo
    fix: Fix | None
    no_fix_reason: str | None


@dataclass(eq=False, slots=True)
class CallEdge:
    caller: FunctionInfo
    callee: FunctionInfo
    node: cst.CSTNode


@dataclass(eq=False, slots=True)
class FunctionAnalysis:
    function: FunctionInfo
    edges: list[CallEdge] = field(default_factory=list)
    findings: list[RawFinding] = field(default_factory=list)


Hook = Callable[[cst.CSTNode, "Checker"], None]


class RuleSet:
    """The selected rules, indexed by the hooks they implement."""

    def __init__(self, rules: Sequence[type[Rule]]) -> None:
        self.rules = list(rules)
        self.instances: dict[type[Rule], Rule] = {r: r() for r in self.rules}
        self.call_rules: list[Rule] = [self.instances[r] for r in self.rules if r.has_call_hook()]
        self.hooks: dict[type[cst.CSTNode], list[tuple[type[Rule], Callable[..., None]]]] = {}
        for rule_cls, rule in self.instances.items():
            for attr in dir(rule_cls):
                if attr.startswith("visit_"):
                    node_type = getattr(cst, attr[len("visit_") :], None)
                    if isinstance(node_type, type) and issubclass(node_type, cst.CSTNode):
                        self.hooks.setdefault(node_type, []).append((rule_cls, getattr(rule, attr)))


class Checker:
    """The walk over one function, and what rules may ask about the code under it."""

    def __init__(self, resolver: Resolver, ruleset: RuleSet, function: FunctionInfo) -> None:
        self.resolver = resolver
        self.ruleset = ruleset
        self.function = function
        self.module: ModuleInfo = function.module
        self.analysis = FunctionAnalysis(function)
        self.parents: list[cst.CSTNode] = []
        self.scope: Scope = function_scope(function.node, None, self.module, resolver, info=function)
        self._resolved: dict[int, tuple[cst.CSTNode, Resolved]] = {}
        self._scopes_of: dict[int, Scope] = {}
        self._handled_callees: set[int] = set()
        self._call_reports: dict[int, Sequence[tuple[type[Rule], Report]]] = {}
        self._current_rule: type[Rule] | None = None

    # -- API for rules ---------------------------------------------------------------------------------------
    def resolve(self, expr: cst.BaseExpression) -> Resolved:
        key = id(expr)
        hit = self._resolved.get(key)
        if hit is not None and hit[0] is expr:
            return hit[1]
        result = self.resolver.resolve_expr(expr, self.scope, self.module)
        self._resolved[key] = (expr, result)
        return result

    def qname(self, expr: cst.BaseExpression) -> str | None:
        resolved = self.resolve(expr)
        return resolved.qname if isinstance(resolved, External) else None

    def context_for(self, node: cst.CSTNode) -> tuple[str | None, str | None]:
        """The name that refers to the workflow's Context where ``node`` (under the walk's current scope) is
        evaluated, for fixes; or None and, when the name is rebound or shadowed there, why."""
        return self.scope.context_at(node)

    def parent(self, level: int = 1) -> cst.CSTNode | None:
        return self.parents[-level] if len(self.parents) >= level else None

    def report(self, rule: type[Rule], report: Report) -> None:
        node, fix, reason = report.node, report.fix, report.no_fix_reason
        made_up = self.function.made_up_calls
        if made_up is not None:  # in the __init__ generated for default factories
            if id(node) in made_up:
                node, fix = made_up[id(node)], None  # reported where the class names the factory
            if fix is None and reason in (None, NO_CONTEXT):
                reason = _FACTORY_NO_FIX
        self.analysis.findings.append(RawFinding(rule, node, report.message, self.function, fix, reason))

    def made_by_reported_call(self, resolved: Resolved) -> bool:
        """Whether ``resolved`` was created in this checked code by a call that is already reported."""
        if not isinstance(resolved, External) or resolved.origin_call is None:
            return False
        return bool(self._reports_for_call(resolved.origin_call))

    def is_set_like(self, expr: cst.BaseExpression, depth: int = 0) -> bool:
        """Whether ``expr`` is a set or frozenset (whose iteration order is not stable across runs)."""
        if depth > 8:
            return False
        if isinstance(expr, (cst.Set, cst.SetComp)):
            return True
        if isinstance(expr, cst.BinaryOperation) and isinstance(
            expr.operator, (cst.BitOr, cst.BitAnd, cst.Subtract, cst.BitXor)
        ):
            return self.is_set_like(expr.left, depth + 1) or (
                not isinstance(expr.operator, cst.Subtract) and self.is_set_like(expr.right, depth + 1)
            )
        if isinstance(expr, cst.Call):
            callee = self.resolve(expr.func)
            if isinstance(callee, External) and callee.qname in ("builtins.set", "builtins.frozenset"):
                return True
            if (
                isinstance(expr.func, cst.Attribute)
                and expr.func.attr.value in SET_METHODS_RETURNING_SETS
                and self.is_set_like(expr.func.value, depth + 1)
            ):
                return True
            if isinstance(callee, FunctionRef) and callee.func.node.returns is not None:
                return self.is_set_annotation(callee.func.node.returns.annotation, None, callee.func.module)
            return False
        if isinstance(expr, (cst.Name, cst.Attribute)):
            resolved = self.resolve(expr)
            if isinstance(resolved, Variable):
                return self._variable_is_set(resolved, depth)
        return False

    def _variable_is_set(self, var: Variable, depth: int) -> bool:
        if any(self.is_set_annotation(a, var.scope, var.module) for a in var.annotations):
            return True
        if not var.values:
            return False
        saved = self.scope
        if var.scope is not None:
            self.scope = var.scope
        try:
            if var.scope is None:
                return all(self._module_value_is_set(v, var.module, depth) for v in var.values)
            return all(self.is_set_like(v, depth + 1) for v in var.values)
        finally:
            self.scope = saved

    def _module_value_is_set(self, value: cst.BaseExpression, module: ModuleInfo, depth: int) -> bool:
        if isinstance(value, (cst.Set, cst.SetComp)):
            return True
        if isinstance(value, cst.Call):
            callee = self.resolver.resolve_expr(value.func, None, module)
            return isinstance(callee, External) and callee.qname in ("builtins.set", "builtins.frozenset")
        return False

    def is_set_annotation(
        self, annotation: cst.BaseExpression, scope: Scope | None, module: ModuleInfo
    ) -> bool:
        inner = unwrap_optional(annotation)
        if inner is None:
            return False
        if isinstance(inner, cst.Subscript):
            inner = inner.value
        resolved = self.resolver.resolve_expr(inner, scope, module)
        return isinstance(resolved, External) and resolved.qname in SET_TYPE_NAMES

    # -- the walk --------------------------------------------------------------------------------------------
    def run(self) -> FunctionAnalysis:
        self.parents.append(self.function.node)
        self._visit(self.function.node.body)
        self.parents.pop()
        return self.analysis

    def _visit_children(self, node: cst.CSTNode) -> None:
        self.parents.append(node)
        for child in children(node):
            self._visit(child)
        self.parents.pop()

    def _visit(self, node: cst.CSTNode) -> None:
        kind = type(node)
        if kind is cst.FunctionDef:
            assert isinstance(node, cst.FunctionDef)
            self._visit_function_def(node)
            return
        if kind is cst.Lambda:
            assert isinstance(node, cst.Lambda)
            self._visit_lambda(node)
            return
        if kind is cst.ClassDef:
            assert isinstance(node, cst.ClassDef)
            self._visit_class_def(node)
            return
        if kind is cst.Call:
            assert isinstance(node, cst.Call)
            self._visit_call(node)
        elif kind is cst.Name or kind is cst.Attribute:
            assert isinstance(node, (cst.Name, cst.Attribute))
            self._visit_reference(node)
        hooks = self.ruleset.hooks.get(kind)
        if hooks:
            for rule_cls, hook in hooks:
                self._current_rule = rule_cls
                hook(node, self)
        if node.__class__ in _COMPREHENSIONS:
            assert isinstance(node, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp))
            saved = self.scope
            self.scope = comprehension_scope(node, saved, self.module)
            self._visit_children(node)
            self.scope = saved
            return
        self._visit_children(node)

    def _visit_function_def(self, node: cst.FunctionDef) -> None:
        if self.resolver.is_step_def(node, self.scope, self.module):
            return  # a step defined inside a workflow: steps may do anything
        for decorator in node.decorators:
            self._visit(decorator.decorator)
        self._visit_callable(node)

    def _visit_lambda(self, node: cst.Lambda) -> None:
        self._visit_callable(node)

    def _visit_callable(self, node: cst.FunctionDef | cst.Lambda) -> None:
        """Defaults are evaluated in the enclosing scope; the body in the function's own."""
        self.parents.append(node)
        for param in _all_params(node.params):
            if param.default is not None:
                self._visit(param.default)
        saved = self.scope
        self.scope = function_scope(node, saved, self.module, self.resolver)
        self._visit(node.body)
        self.scope = saved
        self.parents.pop()

    def _visit_class_def(self, node: cst.ClassDef) -> None:
        self.parents.append(node)
        for decorator in node.decorators:
            self._visit(decorator.decorator)
        for arg in node.bases:
            self._visit(arg.value)
        saved = self.scope
        self.scope = class_scope(node, saved, self.module)
        self._visit(node.body)
        self.scope = saved
        self.parents.pop()

    def _visit_call(self, call: cst.Call) -> None:
        callee = self.resolve(call.func)
        self._handled_callees.add(id(call.func))
        self._add_edges_for_call(callee, call)
        for rule_cls, report in self._reports_for_call(call):
            self.report(rule_cls, report)

    def _reports_for_call(self, call: cst.Call) -> Sequence[tuple[type[Rule], Report]]:
        cached = self._call_reports.get(id(call))
        if cached is not None:
            return cached
        self._call_reports[id(call)] = ()  # guards against cycles through origin_call
        callee = self.resolve(call.func)
        reports: list[tuple[type[Rule], Report]] = []
        for rule in self.ruleset.call_rules:
            for report in rule.check_call(call, callee, self):
                reports.append((type(rule), report))
        self._call_reports[id(call)] = reports
        return reports

    def _add_edges_for_call(self, callee: Resolved, call: cst.Call) -> None:
        if isinstance(callee, FunctionRef):
            self._edge(callee.func, call)
        elif isinstance(callee, ClassRef):
            for factories in self.resolver.constructor_factories(callee.cls):
                self._edge(factories, call)
            for name in _CONSTRUCTOR_METHODS:
                method = self.resolver.find_method(callee.cls, name)
                if method is not None:
                    self._edge(method, call)
        elif isinstance(callee, InstanceRef):
            method = self.resolver.find_method(callee.cls, "__call__")
            if method is not None:
                self._edge(method, call)

    def _visit_reference(self, node: cst.Name | cst.Attribute) -> None:
        if id(node) in self._handled_callees:
            return
        parent = self.parent()
        if isinstance(parent, cst.Attribute) and parent.value is node:
            return  # only the outermost attribute of a chain is the value used
        resolved = self.resolve(node)
        if isinstance(resolved, FunctionRef):
            self._edge(resolved.func, node)  # passed as a value (ctx.map(fn, ...), key=fn) or a property

    def _edge(self, callee: FunctionInfo, node: cst.CSTNode) -> None:
        if callee.kind != "function" or callee is self.function:
            return
        made_up = self.function.made_up_calls
        if made_up is not None:
            node = made_up.get(id(node), node)
        self.analysis.edges.append(CallEdge(self.function, callee, node))


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    result = [*params.posonly_params, *params.params, *params.kwonly_params]
    if isinstance(params.star_arg, cst.Param):
        result.append(params.star_arg)
    if params.star_kwarg is not None:
        result.append(params.star_kwarg)
    return result


def analyze_function(resolver: Resolver, ruleset: RuleSet, function: FunctionInfo) -> FunctionAnalysis:
    return Checker(resolver, ruleset, function).run()
