"""Scopes and qualified-name resolution over the libcst tree.

A name is resolved the way Python resolves it: the innermost function scope that binds it anywhere
(assignment, parameter, import, ``for`` target, ``with ... as``, ``except ... as``, walrus, ``del``, ``def``,
``class``) wins, class bodies are skipped from inside methods, then module-level names, then builtins. So
``random = 3`` or a parameter called ``random`` hides the module, ``from time import time as now`` makes
``now()`` mean ``time.time``, and ``import datetime as dt`` makes ``dt.datetime.now`` mean
``datetime.datetime.now``. Names imported from other modules of the linted tree resolve to their functions,
classes and variables there."""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from pathlib import Path

import libcst as cst

from portaflow.lint.engine.index import (
    ClassInfo,
    FunctionInfo,
    FunctionKind,
    ModBinding,
    ModuleInfo,
)
from portaflow.lint.engine.project import Project
from portaflow.lint.engine.scopes import (
    UNKNOWN,
    Binding,
    ClassRef,
    ContextRef,
    External,
    FunctionRef,
    InstanceRef,
    ModuleRef,
    Resolved,
    Scope,
    Unknown,
    Variable,
)
from portaflow.source.names import decorator_callee, decorator_kind, dotted_name

BUILTIN_NAMES = frozenset(dir(builtins))
# functions that declare a field of a dataclass-like class, whose ``default_factory=``/``factory=`` runs per
# instance
_FIELD_FUNCTIONS = frozenset(
    {
        "dataclasses.field",
        "attr.ib",
        "attr.attrib",
        "attr.attr",
        "attr.field",
        "attrs.field",
        "pydantic.Field",
        "pydantic.fields.Field",
        "sqlmodel.Field",
        "msgspec.field",
    }
)
_FACTORY_WRAPPERS = frozenset({"attr.Factory", "attrs.Factory"})
_MAX_DEPTH = 12


# -- the resolver --------------------------------------------------------------------------------------------
class Resolver:
    def __init__(self, project: Project) -> None:
        self.project = project
        self._qualified_cache: dict[tuple[str, Path | None], Resolved] = {}
        self._factory_inits: dict[ClassInfo, FunctionInfo | None] = {}

    # qualified names across the project
    def resolve_qualified(self, qname: str, near: ModuleInfo | None, depth: int = 0) -> Resolved:
        key = (qname, near.root if near is not None else None)
        cached = self._qualified_cache.get(key)
        if cached is not None:
            return cached
        result = self._resolve_qualified(qname, near, depth)
        self._qualified_cache[key] = result
        return result

    def _resolve_qualified(self, qname: str, near: ModuleInfo | None, depth: int) -> Resolved:
        if depth > _MAX_DEPTH:
            return External(qname)
        parts = qname.split(".")
        for cut in range(len(parts), 0, -1):
            module = self.project.find_module(".".join(parts[:cut]), near)
            if module is None:
                continue
            result: Resolved = ModuleRef(module)
            for attr in parts[cut:]:
                result = self.attribute(result, attr, depth + 1)
            return result
        return External(qname)

    def module_member(self, module: ModuleInfo, name: str, depth: int = 0) -> Resolved:
        bindings = module.bindings.get(name)
        if bindings:
            return self._module_binding(module, name, bindings, depth)
        sub = self.project.find_module(f"{module.name}.{name}", module)
        if sub is not None:
            return ModuleRef(sub)
        for star in module.star_imports:
            star_module = self.project.find_module(star, module)
            if star_module is not None and star_module is not module and depth < _MAX_DEPTH:
                found = self.module_member(star_module, name, depth + 1)
                if not isinstance(found, Unknown):
                    return found
        return UNKNOWN

    def _module_binding(
        self, module: ModuleInfo, name: str, bindings: list[ModBinding], depth: int
    ) -> Resolved:
        if depth > _MAX_DEPTH:
            return UNKNOWN
        last = bindings[-1]
        if all(b.kind == "assign" for b in bindings):
            if len(bindings) == 1 and last.value is not None and self._aliasable(last.value):
                value = self.resolve_expr(last.value, None, module, depth + 1)
                if isinstance(value, External) and value.origin_call is not None:
                    return External(value.qname, value.import_ref, None, shared=True)  # made at import time
                if not isinstance(value, (Unknown, ContextRef, Variable)):
                    return value
            return Variable(
                name,
                tuple(b.value for b in bindings if b.value is not None),
                tuple(b.annotation for b in bindings if b.annotation is not None),
                None,
                module,
            )
        if last.kind == "def" and last.function is not None:
            return FunctionRef(last.function)
        if last.kind == "class" and last.cls is not None:
            return ClassRef(last.cls)
        if last.kind == "import" and last.target is not None:
            resolved = self.resolve_qualified(last.target, module, depth + 1)
            if isinstance(resolved, External) and last.import_ref is not None:
                return External(resolved.qname, last.import_ref)
            return resolved
        return UNKNOWN

    @staticmethod
    def _aliasable(value: cst.BaseExpression) -> bool:
        """Values that name an object (an alias or an instance) rather than a container."""
        if isinstance(value, (cst.Name, cst.Attribute, cst.Await)):
            return True
        if isinstance(value, cst.BinaryOperation):
            return isinstance(value.operator, cst.Divide)
        if isinstance(value, cst.Call):
            return dotted_name(value.func) not in {
                "list",
                "dict",
                "set",
                "frozenset",
                "bytearray",
                "defaultdict",
                "collections.defaultdict",
                "OrderedDict",
                "deque",
                "Counter",
            }
        return False

    # names inside functions
    def lookup(self, name: str, scope: Scope | None, module: ModuleInfo, depth: int = 0) -> Resolved:
        current = scope
        first = True
        while current is not None:
            if current.kind == "class" and not first:
                current = current.parent
                continue
            if name in current.global_names:
                break
            if name in current.nonlocal_names:
                current = current.parent
                first = False
                continue
            bindings = current.bindings.get(name)
            if bindings:
                return self._local_binding(name, bindings, current, depth)
            current = current.parent
            first = False
        if name in module.bindings or module.star_imports:
            member = self.module_member(module, name, depth)
            if not isinstance(member, Unknown) or name in module.bindings:
                return member
        if name in BUILTIN_NAMES:
            return External(f"builtins.{name}")
        return UNKNOWN

    def _local_binding(self, name: str, bindings: list[Binding], scope: Scope, depth: int) -> Resolved:
        if depth > _MAX_DEPTH:
            return UNKNOWN
        if len(bindings) == 1:
            b = bindings[0]
            if b.kind == "param":
                if b.is_context:
                    return ContextRef(name)
                if b.self_of is not None:
                    return InstanceRef(b.self_of)
                if b.cls_of is not None:
                    return ClassRef(b.cls_of)
                if b.annotation is not None:
                    typed = self.annotation_type(b.annotation, scope.parent, scope.module, depth + 1)
                    if not isinstance(typed, Unknown):
                        return typed
                return Variable(
                    name, (), tuple(a for a in [b.annotation] if a is not None), scope, scope.module
                )
            if b.kind == "import" and b.target is not None:
                resolved = self.resolve_qualified(b.target, scope.module, depth + 1)
                if isinstance(resolved, External):
                    return External(resolved.qname, b.import_ref)
                return resolved
            if b.kind == "assign" and b.value is not None and self._aliasable(b.value):
                value = self.resolve_expr(b.value, scope, scope.module, depth + 1)
                if not isinstance(value, Unknown):
                    return value
        values = tuple(b.value for b in bindings if b.kind == "assign" and b.value is not None)
        annotations = tuple(b.annotation for b in bindings if b.annotation is not None)
        if all(b.kind in ("assign", "param") for b in bindings):
            return Variable(name, values, annotations, scope, scope.module)
        return Variable(name, (), annotations, scope, scope.module) if annotations else UNKNOWN

    # expressions
    def resolve_expr(
        self, expr: cst.BaseExpression, scope: Scope | None, module: ModuleInfo, depth: int = 0
    ) -> Resolved:
        if depth > _MAX_DEPTH:
            return UNKNOWN
        if isinstance(expr, cst.Name):
            return self.lookup(expr.value, scope, module, depth)
        if isinstance(expr, cst.Attribute):
            base = self.resolve_expr(expr.value, scope, module, depth + 1)
            return self.attribute(base, expr.attr.value, depth + 1)
        if isinstance(expr, cst.Call):
            callee = self.resolve_expr(expr.func, scope, module, depth + 1)
            return self.call_result(callee, expr, depth + 1)
        if isinstance(expr, cst.Await):
            return self.resolve_expr(expr.expression, scope, module, depth + 1)
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
            left = self.resolve_expr(expr.left, scope, module, depth + 1)
            if isinstance(left, External) and left.qname.endswith("()"):
                return left  # Path("a") / "b" is a Path
        return UNKNOWN

    def attribute(self, base: Resolved, attr: str, depth: int = 0) -> Resolved:
        if isinstance(base, External):
            return External(f"{base.qname}.{attr}", base.import_ref, base.origin_call, base.shared)
        if isinstance(base, ModuleRef):
            return self.module_member(base.module, attr, depth)
        if isinstance(base, (ClassRef, InstanceRef)):
            method = self.find_method(base.cls, attr)
            if method is not None:
                return FunctionRef(method)
            if isinstance(base, InstanceRef):
                annotation = self._class_attribute(base.cls, attr)
                if annotation is not None:
                    return self.annotation_type(annotation, None, base.cls.module, depth + 1)
        return UNKNOWN

    def call_result(self, callee: Resolved, call: cst.Call, depth: int = 0) -> Resolved:
        if isinstance(callee, External):
            return External(f"{callee.qname}()", callee.import_ref, call)
        if isinstance(callee, ClassRef):
            return InstanceRef(callee.cls)
        if isinstance(callee, FunctionRef) and callee.func.node.returns is not None:
            return self.annotation_type(
                callee.func.node.returns.annotation, None, callee.func.module, depth + 1
            )
        return UNKNOWN

    def annotation_type(
        self, annotation: cst.BaseExpression, scope: Scope | None, module: ModuleInfo, depth: int = 0
    ) -> Resolved:
        """The kind of value an annotation describes (an instance of a class), or Unknown."""
        inner = unwrap_optional(annotation)
        if inner is None:
            return UNKNOWN
        if isinstance(inner, cst.Subscript):
            inner = inner.value
        target = self.resolve_expr(inner, scope, module, depth + 1)
        if isinstance(target, ClassRef):
            return InstanceRef(target.cls)
        if isinstance(target, External):
            if target.qname.startswith("builtins.") or target.qname.startswith("typing."):
                return UNKNOWN
            return External(f"{target.qname}()", target.import_ref, None)
        return UNKNOWN

    # classes
    def find_method(self, cls: ClassInfo, name: str, depth: int = 0) -> FunctionInfo | None:
        method = cls.methods.get(name)
        if method is not None or depth > _MAX_DEPTH:
            return method
        for base in self.bases(cls):
            found = self.find_method(base, name, depth + 1)
            if found is not None:
                return found
        return None

    def _class_attribute(self, cls: ClassInfo, name: str, depth: int = 0) -> cst.BaseExpression | None:
        annotation = cls.attributes.get(name)
        if annotation is not None or depth > _MAX_DEPTH:
            return annotation
        for base in self.bases(cls):
            found = self._class_attribute(base, name, depth + 1)
            if found is not None:
                return found
        return None

    def bases(self, cls: ClassInfo) -> Iterator[ClassInfo]:
        for arg in cls.node.bases:
            if arg.keyword is None:
                base = self.resolve_expr(arg.value, None, cls.module)
                if isinstance(base, ClassRef) and base.cls is not cls:
                    yield base.cls

    def constructor_factories(self, cls: ClassInfo) -> list[FunctionInfo]:
        """The generated ``__init__`` of ``cls`` and its bases that run default factories, base first."""
        found: list[FunctionInfo] = []
        seen: set[int] = set()

        def visit(current: ClassInfo, depth: int) -> None:
            if id(current) in seen or depth > _MAX_DEPTH:
                return
            seen.add(id(current))
            for base in self.bases(current):
                visit(base, depth + 1)
            init = self.factory_init(current)
            if init is not None:
                found.append(init)

        visit(cls, 0)
        return found

    def factory_init(self, cls: ClassInfo) -> FunctionInfo | None:
        """A made-up ``__init__`` that calls the default factories declared in the body of ``cls``
        (``dataclasses.field(default_factory=f)``, ``attr.ib(factory=f)``, ``attrs.Factory(f)``,
        ``pydantic.Field(default_factory=f)``...): constructing the class calls them, once per instance. Other
        defaults in a class body are evaluated once, at import, like module-level code, and are not checked.
        None when the class declares no factory."""
        if cls in self._factory_inits:
            return self._factory_inits[cls]
        factories = self._default_factories(cls)
        init: FunctionInfo | None = None
        if factories:
            made_up: dict[int, cst.CSTNode] = {}
            lines: list[cst.SimpleStatementLine] = []
            for factory in factories:
                call = cst.Call(func=factory)
                made_up[id(call)] = factory
                lines.append(cst.SimpleStatementLine(body=[cst.Expr(value=call)]))
            node = cst.FunctionDef(
                name=cst.Name("__init__"), params=cst.Parameters(), body=cst.IndentedBlock(body=lines)
            )
            init = FunctionInfo(
                node,
                cls.module,
                f"{cls.qualname}.__init__",
                f"{cls.name}.__init__",
                cls,
                cls.top_stmt,
                made_up_calls=made_up,
            )
        self._factory_inits[cls] = init
        return init

    def _default_factories(self, cls: ClassInfo) -> list[cst.BaseExpression]:
        explicit_init = "__init__" in cls.methods
        found: list[cst.BaseExpression] = []
        for stmt in cls.node.body.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                value = small.value if isinstance(small, (cst.Assign, cst.AnnAssign)) else None
                if not isinstance(value, cst.Call):
                    continue
                qname = self.qname_in_module(value.func, cls.module)
                if qname in _FACTORY_WRAPPERS and value.args:
                    found.append(value.args[0].value)  # x = attr.Factory(list)
                    continue
                if qname not in _FIELD_FUNCTIONS or (explicit_init and not qname.startswith("pydantic")):
                    continue  # a dataclass with its own __init__ does not run the factories
                for arg in value.args:
                    keyword = arg.keyword.value if arg.keyword is not None else None
                    if keyword in ("default_factory", "factory"):
                        found.append(arg.value)
                    elif (
                        keyword == "default"
                        and isinstance(arg.value, cst.Call)
                        and arg.value.args
                        and self.qname_in_module(arg.value.func, cls.module) in _FACTORY_WRAPPERS
                    ):
                        found.append(arg.value.args[0].value)
        return found

    def qname_in_module(self, expr: cst.BaseExpression, module: ModuleInfo) -> str | None:
        resolved = self.resolve_expr(expr, None, module)
        return resolved.qname if isinstance(resolved, External) else None

    # decorators and context
    @staticmethod
    def _qname(resolved: Resolved) -> str | None:
        """The qualified name a decorator resolved to (None: not known)."""
        if isinstance(resolved, External):
            return resolved.qname
        if isinstance(resolved, FunctionRef):
            return resolved.func.qualname
        return None

    def function_kind(self, func: FunctionInfo) -> FunctionKind:
        """A module-level function's (or method's) kind from its decorators, by the rule of
        :mod:`portaflow.source.names`."""
        module = func.module
        for decorator in func.node.decorators:
            expr = decorator_callee(decorator.decorator)
            dotted = dotted_name(expr)
            if dotted is None:
                continue
            bound = dotted.split(".")[0] in module.bindings
            qname = (
                self._qname(self.resolve_expr(expr, None, module)) if bound or module.star_imports else None
            )
            kind = decorator_kind(qname, dotted=dotted, root_bound=bound, star_imports=module.star_imports)
            if kind is not None:
                return kind
        return "function"

    def is_step_def(self, node: cst.FunctionDef, scope: Scope | None, module: ModuleInfo) -> bool:
        """Whether a def inside a function is decorated with portaflow's ``@step``."""
        for decorator in node.decorators:
            expr = decorator_callee(decorator.decorator)
            resolved = self.resolve_expr(expr, scope, module)
            kind = decorator_kind(
                self._qname(resolved),
                dotted=dotted_name(expr),
                root_bound=not isinstance(resolved, Unknown),
                star_imports=module.star_imports,
            )
            if kind == "step":
                return True
        return False

    def is_context_annotation(
        self, annotation: cst.BaseExpression, scope: Scope | None, module: ModuleInfo
    ) -> bool:
        inner = unwrap_optional(annotation)
        if isinstance(inner, cst.SimpleString):
            return inner.value.strip("'\"") in ("Context", "portaflow.Context")
        if inner is None:
            return False
        dotted = dotted_name(inner)
        if dotted is None or not dotted.endswith("Context"):
            return False
        resolved = self.resolve_expr(inner, scope, module)
        if isinstance(resolved, External):
            return resolved.qname.startswith("portaflow.") and resolved.qname.endswith(".Context")
        return isinstance(resolved, Unknown) and dotted == "Context"


def unwrap_optional(annotation: cst.BaseExpression) -> cst.BaseExpression | None:
    """``Optional[X]`` and ``X | None`` to ``X``; None for ``None`` itself."""
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        left, right = annotation.left, annotation.right
        if isinstance(right, cst.Name) and right.value == "None":
            return unwrap_optional(left)
        if isinstance(left, cst.Name) and left.value == "None":
            return unwrap_optional(right)
        return annotation
    if isinstance(annotation, cst.Subscript) and dotted_name(annotation.value) in (
        "Optional",
        "typing.Optional",
    ):
        first = annotation.slice[0].slice if annotation.slice else None
        if isinstance(first, cst.Index):
            return unwrap_optional(first.value)
    if isinstance(annotation, cst.Name) and annotation.value == "None":
        return None
    return annotation
