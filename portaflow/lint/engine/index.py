"""The module index: every parsed file of the linted tree, its top-level names, functions, classes and
workflows.

Only top-level statements are scanned here (cheap); function bodies are walked later, and only for
functions that a workflow can reach. Modules imported by the linted code but not given on the command line
are loaded on demand from the project's import roots, so a helper in a sibling module is followed even when
one file is linted."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import libcst as cst

from portaflow.source.finder import absolute_name
from portaflow.source.names import dotted_name

FunctionKind = Literal["workflow", "step", "function"]


@dataclass(frozen=True, slots=True)
class ImportRef:
    """Where a module-level name came from: ``import module as asname`` or ``from module import obj as
    asname``."""

    module: str
    obj: str | None
    asname: str | None


@dataclass(eq=False, slots=True)
class ModBinding:
    """One statement that binds a module-level name."""

    kind: Literal["import", "def", "class", "assign", "other"]
    target: str | None = None  # qualified name an import refers to
    value: cst.BaseExpression | None = None  # assigned value
    annotation: cst.BaseExpression | None = None
    function: FunctionInfo | None = None
    cls: ClassInfo | None = None
    import_ref: ImportRef | None = None


@dataclass(eq=False, slots=True)
class FunctionInfo:
    node: cst.FunctionDef
    module: ModuleInfo
    qualname: str  # dotted: package.module.Class.function
    display: str  # Class.function or function
    cls: ClassInfo | None
    top_stmt: cst.CSTNode  # the top-level statement that contains this function (for positions)
    kind: FunctionKind = "function"
    is_static: bool = False
    is_classmethod: bool = False
    # for the __init__ that a dataclass-like class generates (not in the source): the calls of its default
    # factories that the engine made up, by id, each with the factory expression it reports at instead
    made_up_calls: dict[int, cst.CSTNode] | None = None

    @property
    def context_param(self) -> str | None:
        """Name of the workflow's context parameter: its first parameter (after ``self`` for a method)."""
        params = [*self.node.params.posonly_params, *self.node.params.params]
        if self.cls is not None and not self.is_static and params:
            params = params[1:]
        return params[0].name.value if params else None


@dataclass(eq=False, slots=True)
class ClassInfo:
    node: cst.ClassDef
    module: ModuleInfo
    qualname: str
    name: str
    top_stmt: cst.CSTNode
    methods: dict[str, FunctionInfo] = field(default_factory=dict)
    attributes: dict[str, cst.BaseExpression] = field(default_factory=dict)  # class-level annotations


@dataclass(eq=False, slots=True)
class ModuleInfo:
    path: Path
    display_path: str
    name: str
    is_package: bool
    root: Path  # the directory the top-level package lives in
    text: str
    module: cst.Module
    bindings: dict[str, list[ModBinding]] = field(default_factory=dict)
    functions: dict[str, FunctionInfo] = field(default_factory=dict)
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    all_functions: list[FunctionInfo] = field(default_factory=list)
    star_imports: list[str] = field(default_factory=list)
    reported: bool = True  # False for a module loaded only to follow calls into it that is excluded by config
    _lines: list[str] | None = None

    def line_text(self, line: int) -> str:
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""


def _strip_call(expr: cst.BaseExpression) -> cst.BaseExpression:
    return expr.func if isinstance(expr, cst.Call) else expr


def absolute_module(module: ModuleInfo, relative_level: int, name: str | None) -> str:
    """Resolve ``from ..x import`` inside ``module`` to an absolute module name (as best it can when Python
    would refuse the import: lint keeps following the code)."""
    return absolute_name(module.name, module.is_package, name, relative_level, lenient=True)


def _iter_top_level(body: Sequence[cst.CSTNode]) -> Iterator[tuple[cst.CSTNode, cst.CSTNode]]:
    """Yield (statement, its top-level statement) for module-level statements, entering if/try/with blocks."""
    for top in body:
        stack: list[cst.CSTNode] = [top]
        while stack:
            stmt = stack.pop(0)
            yield stmt, top
            blocks: list[cst.BaseSuite] = []
            if isinstance(stmt, cst.If):
                blocks.append(stmt.body)
                orelse = stmt.orelse
                if isinstance(orelse, cst.If):
                    stack.append(orelse)
                elif isinstance(orelse, cst.Else):
                    blocks.append(orelse.body)
            elif isinstance(stmt, (cst.Try, cst.TryStar)):
                blocks.append(stmt.body)
                blocks.extend(h.body for h in stmt.handlers)
                if stmt.orelse is not None:
                    blocks.append(stmt.orelse.body)
                if stmt.finalbody is not None:
                    blocks.append(stmt.finalbody.body)
            elif isinstance(stmt, cst.With):
                blocks.append(stmt.body)
            for block in blocks:
                if isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite)):
                    stack.extend(block.body)


def target_names(target: cst.BaseExpression) -> Iterator[cst.Name]:
    """The names an assignment target binds (``a``, ``a, (b, *c)``)."""
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from target_names(target.value)


def scan_module(info: ModuleInfo) -> None:
    """Collect module-level bindings, functions, classes and decorators (not function bodies)."""
    bind = info.bindings

    def add(name: str, binding: ModBinding) -> None:
        bind.setdefault(name, []).append(binding)

    for stmt, top in _iter_top_level(info.module.body):
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                _scan_small_statement(info, small, add)
        elif isinstance(stmt, cst.FunctionDef):
            func = FunctionInfo(stmt, info, f"{info.name}.{stmt.name.value}", stmt.name.value, None, top)
            info.functions[stmt.name.value] = func
            info.all_functions.append(func)
            add(stmt.name.value, ModBinding("def", function=func))
        elif isinstance(stmt, cst.ClassDef):
            cls = _scan_class(info, stmt, top, f"{info.name}.{stmt.name.value}", stmt.name.value)
            info.classes[stmt.name.value] = cls
            add(stmt.name.value, ModBinding("class", cls=cls))
        elif isinstance(stmt, cst.For):
            for name in target_names(stmt.target):
                add(name.value, ModBinding("other"))
        elif isinstance(stmt, cst.With):
            for item in stmt.items:
                if item.asname is not None:
                    for name in target_names(item.asname.name):
                        add(name.value, ModBinding("other"))


def _scan_class(
    info: ModuleInfo, node: cst.ClassDef, top: cst.CSTNode, qualname: str, display: str
) -> ClassInfo:
    cls = ClassInfo(node, info, qualname, display, top)
    body = node.body.body
    for stmt in body:
        if isinstance(stmt, cst.FunctionDef):
            decorators = {dotted_name(_strip_call(d.decorator)) for d in stmt.decorators}
            method = FunctionInfo(
                stmt,
                info,
                f"{qualname}.{stmt.name.value}",
                f"{display}.{stmt.name.value}",
                cls,
                top,
                is_static="staticmethod" in decorators,
                is_classmethod="classmethod" in decorators,
            )
            cls.methods[stmt.name.value] = method
            info.all_functions.append(method)
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    cls.attributes[small.target.value] = small.annotation.annotation
    return cls


def _scan_small_statement(
    info: ModuleInfo, small: cst.BaseSmallStatement, add: Callable[[str, ModBinding], None]
) -> None:
    if isinstance(small, cst.Import):
        for alias in small.names:
            full = dotted_name(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                asname = alias.asname.name.value
                add(asname, ModBinding("import", target=full, import_ref=ImportRef(full, None, asname)))
            else:
                first = full.split(".")[0]
                add(first, ModBinding("import", target=first, import_ref=ImportRef(full, None, None)))
    elif isinstance(small, cst.ImportFrom):
        level = len(small.relative)
        modname = dotted_name(small.module) if small.module is not None else None
        base = absolute_module(info, level, modname)
        ref_module = "." * level + (modname or "")
        if isinstance(small.names, cst.ImportStar):
            info.star_imports.append(base)
            return
        for alias in small.names:
            obj = dotted_name(alias.name) or ""
            local = obj
            asname = None
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                asname = local = alias.asname.name.value
            add(
                local,
                ModBinding(
                    "import",
                    target=f"{base}.{obj}" if base else obj,
                    import_ref=ImportRef(ref_module, obj, asname),
                ),
            )
    elif isinstance(small, cst.Assign):
        single = len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)
        for assign_target in small.targets:
            for name in target_names(assign_target.target):
                add(name.value, ModBinding("assign", value=small.value if single else None))
    elif isinstance(small, cst.AnnAssign):
        if isinstance(small.target, cst.Name):
            add(
                small.target.value,
                ModBinding("assign", value=small.value, annotation=small.annotation.annotation),
            )
    elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
        add(small.target.value, ModBinding("other"))
