"""The libcst frontend: parse a workflow module (never importing it) and lower one workflow to the IR.

Steps and child workflows the module imports from the project's other modules are found with
:mod:`.modules` and read from their source the same way; each is lowered once, in its own module.

Every problem becomes a :class:`Diagnostic`; lowering goes on after an error so that one run reports them all.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar, cast

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from portaflow.dsl.durations import parse_duration
from portaflow.source.finder import ImportProblem, ModuleFile, ModuleFinder
from portaflow.source.names import DSL_DECORATORS, DslKind, decorator_callee, decorator_kind, dotted_name
from portaflow.source.parse import ParseFailure, decode_source, parse_module, read_source
from portaflow.source.parse import syntax_error as _syntax_error  # noqa: F401 (its tests import it here)

from . import catalog, ir
from .catalog import Signature
from .diagnostics import Diagnostic

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
# How each may be called; checked by _WorkflowLowerer._arguments.
SIGNATURES: dict[str, Signature] = {row.name: row.signature for row in catalog.ROWS}
_n_arguments, _plural = catalog.n_arguments, catalog.plural
_A = TypeVar("_A")  # a call's argument: a CST node, or its IR once lowered
# `except StepFailed` is not one of them: it catches the failures of steps only (docs/semantics.md "Retries")
CATCH_ALL = {"Exception", "BaseException"}
RESERVED_PREFIX = "pf_"
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


BUILTIN_EXCEPTIONS = _builtin_exception_tree()


@dataclass
class _Fn:
    node: cst.FunctionDef
    kind: str  # "step" | "workflow"
    module: ModuleInfo
    options: dict[str, cst.BaseExpression] = field(default_factory=dict)
    positional: list[cst.Arg] = field(default_factory=list)  # decorator arguments without a keyword

    @property
    def function(self) -> str:
        return self.node.name.value


@dataclass(frozen=True)
class _Import:
    """A module-level name bound by an import: ``import m`` / ``import a.b as m`` (``attr`` None) or
    ``from <dots>module import attr``."""

    module: str | None
    level: int
    attr: str | None
    statement: str  # the import as written, for messages


@dataclass
class ModuleInfo:
    path: str  # as shown in diagnostics
    source: str
    module: cst.Module
    positions: Any
    file: ModuleFile
    steps: dict[str, _Fn] = field(default_factory=dict)
    workflows: dict[str, _Fn] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    exception_bases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    dsl_names: dict[str, str] = field(default_factory=dict)
    step_tables: dict[str, dict[str, str]] = field(default_factory=dict)  # NAME = {"key": step_fn, ...}
    imports: set[str] = field(default_factory=set)  # modules imported at top level (`import json`)
    policies: dict[str, cst.Call] = field(default_factory=dict)  # NAME = RetryPolicy(...) at module level
    bindings: dict[str, _Import] = field(default_factory=dict)  # names bound by top-level imports
    star_imports: list[_Import] = field(default_factory=list)  # from m import *
    functions: dict[str, int] = field(default_factory=dict)  # other top-level defs -> line
    values: dict[str, int] = field(default_factory=dict)  # other top-level assignments -> line
    aliases: dict[str, str] = field(default_factory=dict)  # NAME = some.dotted.name, as written
    # def -> its `@step`/`@workflow` that is not portaflow's (`from celery import step`), for diagnostics
    foreign: dict[str, str] = field(default_factory=dict)
    # names bound only under a condition the compiler cannot decide (`if X:`, an `except` clause) or only
    # for type checkers (`if TYPE_CHECKING:`) -> (why, what to write), as a diagnostic says them
    unsure: dict[str, tuple[str, str]] = field(default_factory=dict)
    fallbacks: dict[str, int] = field(default_factory=dict)  # name -> line of its `except` rebinding


@dataclass(frozen=True)
class _Target:
    """What a module-level name (or ``module.attr`` chain) refers to, found by reading source only.

    ``kind``: ``step``/``workflow`` (``fn``), ``table``/``policy``/``constant``/``class``/``function``/
    ``value`` (``name`` defined in ``module``), ``module`` (a project module), ``external`` (``name`` is a
    module outside the project), ``missing`` (``name`` not defined in ``module``), ``broken`` (the module does
    not parse), ``problem`` (an import Python would refuse; ``name`` says why)."""

    kind: str
    module: ModuleInfo | None = None
    name: str = ""
    fn: _Fn | None = None

    def where(self) -> str:
        if self.module is None:
            return ""
        line = self.module.functions.get(self.name) or self.module.values.get(self.name)
        where = f"{self.module.path}:{line}" if line else self.module.path
        foreign = self.module.foreign.get(self.name)
        return f"{where}, whose {foreign}" if foreign else where


def _join_types(a: ir.Type | None, b: ir.Type) -> ir.Type:
    if a is None or a == b:
        return b
    return "any"


class Frontend:
    """Lower a module's workflows to IR, with the steps and child workflows they import from the project's
    other modules; collects diagnostics."""

    def __init__(self, path: str, source: str) -> None:
        self.path = path  # of the module being lowered (the workflow's, or an imported one's)
        self.entry_path = path  # the workflow module's path, as diagnostics show it
        self.source = source
        self.diags: list[Diagnostic] = []
        self.info: ModuleInfo | None = None  # the module being lowered
        self.entry: ModuleInfo | None = None  # the workflow's module
        self.finder = ModuleFinder(Path(path))
        self.sources: dict[str, str] = {path: source}
        self._modules: dict[tuple[Path, str], ModuleInfo | None] = {}
        self._resolved: dict[tuple[int, str], _Target | None] = {}
        self._kept: list[Diagnostic] = []  # diagnostics of cached work (steps, child workflows, modules)
        self._exception_tree: dict[str, tuple[str, ...]] | None = None
        self._exception_attributes: set[str] | None = None
        self._steps_ir: dict[str, ir.StepDef] = {}
        self._workflows_ir: dict[str, ir.WorkflowDef] = {}

    # ------------------------------------------------------------------------------------------ utilities
    def pos(self, node: cst.CSTNode) -> ir.Loc:
        assert self.info is not None
        try:
            rng = cast(CodeRange, self.info.positions[node])
            return ir.Loc(rng.start.line, rng.start.column + 1)
        except KeyError:
            return ir.Loc(1, 1)

    def error(self, code: str, node: cst.CSTNode | None, message: str, hint: str = "") -> None:
        loc = self.pos(node) if node is not None else ir.Loc(1, 1)
        d = Diagnostic(code, message, self.path, loc.line, loc.col, hint)
        if d not in self.diags:
            self.diags.append(d)

    def code(self, node: cst.CSTNode) -> str:
        assert self.info is not None
        return self.info.module.code_for_node(node)

    @contextlib.contextmanager
    def within(self, info: ModuleInfo, keep: bool = False) -> Iterator[None]:
        """Work on ``info``'s nodes (positions, literals, diagnostics' path). ``keep``: the diagnostics are
        those of cached work (a step's options, a child workflow), kept whatever pass asked for it."""
        saved = (self.info, self.path, self.diags)
        self.info, self.path = info, info.path
        if keep:
            self.diags = []
        try:
            yield
        finally:
            if keep:
                self._kept.extend(d for d in self.diags if d not in self._kept)
            self.info, self.path, self.diags = saved

    def all_diagnostics(self) -> list[Diagnostic]:
        """Every diagnostic, the workflow's module first, each file's in source order."""
        out: list[Diagnostic] = []
        for d in [*self.diags, *self._kept]:
            if d not in out:
                out.append(d)
        first = self.entry_path
        out.sort(key=lambda d: (d.path != first, d.path, d.line, d.col))
        return out

    # --------------------------------------------------------------------------------------------- module
    def parse(self) -> ModuleInfo | None:
        """Parse the workflow's module (a syntax error is PFC001)."""
        self._modules[(self.finder.entry.path, self.finder.entry.name)] = None  # an import cycle: not yet
        info = self._scan(self.path, self.source, self.finder.entry)
        self.entry = self.info = info
        if info is not None:
            self._modules[(self.finder.entry.path, self.finder.entry.name)] = info
        return info

    def module(self, mf: ModuleFile) -> ModuleInfo | None:
        """A project module, parsed once (None when it does not parse: PFC001 there)."""
        key = (mf.path, mf.name)
        if key not in self._modules:
            display = _display_path(mf.path, self.entry_path)
            self._modules[key] = None  # while it is read (an import cycle meets nothing), and if it fails
            if mf.namespace:
                source = ""
            else:
                try:
                    source = read_source(mf.path)
                except ParseFailure as e:
                    self._kept.append(
                        Diagnostic(
                            "PFC001", f"{mf.name}: {e.message}", display, e.line, e.col, "fix the file"
                        )
                    )
                    return None
            saved = self.diags
            self.diags = []
            info = self._scan(display, source, mf)
            self._kept.extend(self.diags)
            self.diags = saved
            self._modules[key] = info
            if info is not None:
                self.sources[display] = source
        return self._modules[key]

    def _scan(self, path: str, source: str, mf: ModuleFile) -> ModuleInfo | None:
        """Parse a module and index its top level: steps, workflows, constants, classes, imports."""
        try:
            module = parse_module(source)
        except ParseFailure as e:
            self.diags.append(
                Diagnostic("PFC001", e.message, path, e.line, e.col, "fix the Python syntax first")
            )
            return None
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        positions = wrapper.resolve(PositionProvider)
        info = ModuleInfo(path, source, module, positions, mf)
        info.dsl_names.update({"RetryPolicy": "RetryPolicy", "timedelta": "timedelta"})
        saved = (self.info, self.path)
        self.info, self.path = info, path
        try:
            for stmt in module.body:
                self._scan_statement(info, stmt)
        finally:
            self.info, self.path = saved
        return info

    def _scan_block(self, info: ModuleInfo, block: cst.BaseSuite | None) -> None:
        for stmt in _statements(block):
            self._scan_statement(info, stmt)

    def _scan_compound(self, info: ModuleInfo, stmt: cst.If | cst.Try | cst.TryStar) -> None:
        """Bindings under a module-level ``try`` or ``if``. ``try``: its body's (and ``else``/``finally``'s)
        count, as when the import works; a name bound only in an ``except`` clause is unsure. ``if
        TYPE_CHECKING:``: its new names exist for type checkers only (its ``else`` runs); ``if __name__ ==
        "__main__":`` never runs on import; any other ``if``: every name its branches bind is unsure."""
        line = self.pos(stmt).line
        if isinstance(stmt, (cst.Try, cst.TryStar)):
            blocks = [stmt.body, stmt.orelse.body if stmt.orelse else None]
            blocks.append(stmt.finalbody.body if stmt.finalbody else None)
            sure = {name for block in blocks for name in _bound_names(_statements(block))}
            for block in blocks:
                self._scan_block(info, block)
            for h in stmt.handlers:
                what = f"except {info.module.code_for_node(h.type)}" if h.type is not None else "except"
                for name in _bound_names(_statements(h.body)):
                    if name in sure:
                        info.fallbacks[name] = self.pos(h).line
                        continue
                    info.unsure[name] = (
                        f"bound only in the `{what}:` clause of the `try` at {info.path}:{line}, which runs "
                        "only when the `try` fails",
                        f"bind it in the `try` body too, or unconditionally at the top level of {info.path}",
                    )
            return
        test = info.module.code_for_node(stmt.test).replace(" ", "")
        if test == "TYPE_CHECKING" or test.endswith(".TYPE_CHECKING"):
            for name in _bound_names(_statements(stmt.body)):
                if not _bound_in(info, name):  # a name bound before keeps its binding
                    info.unsure[name] = (
                        f"bound only under `if TYPE_CHECKING:` ({info.path}:{line}), for type checkers: it "
                        "does not exist when the module runs",
                        f"import it outside `if TYPE_CHECKING:` in {info.path} to use it in a workflow "
                        "(annotations may name it as they are)",
                    )
        elif test not in ('__name__=="__main__"', "__name__=='__main__'"):
            self._unsure_branches(info, stmt)
            return
        if isinstance(stmt.orelse, cst.Else):
            self._scan_block(info, stmt.orelse.body)
        elif isinstance(stmt.orelse, cst.If):
            self._unsure_branches(info, stmt.orelse)

    def _unsure_branches(self, info: ModuleInfo, stmt: cst.If) -> None:
        """Every name an ``if``/``elif``/``else`` chain binds: which branch runs is known only at run time."""
        line = self.pos(stmt).line
        cond = info.module.code_for_node(stmt.test)
        branch: cst.If | cst.Else | None = stmt
        while branch is not None:
            for name in _bound_names(_statements(branch.body)):
                info.unsure[name] = (
                    f"bound inside `if {cond}:` ({info.path}:{line}): the compiler reads the source without "
                    "running it, so it cannot tell whether (or to what) it is bound when the workflow runs",
                    f"bind it unconditionally at the top level of {info.path} (a step may choose what to do "
                    "at run time)",
                )
            branch = branch.orelse if isinstance(branch, cst.If) else None

    def _scan_statement(self, info: ModuleInfo, stmt: cst.BaseStatement | cst.BaseSmallStatement) -> None:
        dsl_names = info.dsl_names
        if isinstance(stmt, (cst.If, cst.Try, cst.TryStar)):
            self._scan_compound(info, stmt)
            return
        for name in _bound_names([stmt]):
            info.unsure.pop(name, None)  # bound for sure from here on
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self._scan_statement(info, small)
        elif isinstance(stmt, cst.ImportFrom):
            level = len(stmt.relative)
            module = self._dotted(stmt.module) if stmt.module is not None else None
            text = info.module.code_for_node(stmt)
            if isinstance(stmt.names, cst.ImportStar):
                info.star_imports.append(_Import(module, level, None, text))
                return
            for alias in stmt.names:
                orig = self._dotted(alias.name)
                asname = alias.asname
                local = cast(cst.Name, asname.name).value if asname is not None else orig
                if orig in ("RetryPolicy", "timedelta"):
                    dsl_names[local] = orig
                info.bindings[local] = _Import(module, level, orig, text)
        elif isinstance(stmt, cst.Import):
            text = info.module.code_for_node(stmt)
            for alias in stmt.names:
                dotted = self._dotted(alias.name)
                info.imports.add(dotted)
                if alias.asname is not None:
                    info.bindings[cast(cst.Name, alias.asname.name).value] = _Import(dotted, 0, None, text)
                else:
                    top = dotted.split(".", 1)[0]
                    info.bindings[top] = _Import(top, 0, None, text)
        elif isinstance(stmt, (cst.Assign, cst.AnnAssign)):
            targets = [t.target for t in stmt.targets] if isinstance(stmt, cst.Assign) else [stmt.target]
            value = stmt.value
            if value is None:
                return
            for t in targets:
                if not isinstance(t, cst.Name):
                    continue
                info.values[t.value] = self.pos(t).line
                aliased = dotted_name(value)
                if aliased is not None:
                    info.aliases[t.value] = aliased
                lit = self._literal(value)
                if lit is not _NOT_LITERAL:
                    info.constants[t.value] = lit
                elif (
                    isinstance(value, cst.Call)
                    and dsl_names.get(self._dotted(value.func).rsplit(".", 1)[-1]) == "RetryPolicy"
                ):
                    info.policies[t.value] = value
                elif isinstance(value, cst.Dict):
                    table = self._name_table(value)
                    if table is not None:
                        info.step_tables[t.value] = table
        elif isinstance(stmt, cst.ClassDef):
            bases = tuple(self._dotted(a.value).rsplit(".", 1)[-1] for a in stmt.bases)
            info.exception_bases[stmt.name.value] = bases
            info.values[stmt.name.value] = self.pos(stmt.name).line
        elif isinstance(stmt, cst.FunctionDef):
            info.functions[stmt.name.value] = self.pos(stmt.name).line
            for dec in stmt.decorators:
                d = dec.decorator
                kind = self.decorator_kind(info, d)
                if kind is None:
                    self._note_foreign(info, stmt.name.value, d)
                else:
                    fn = _Fn(stmt, kind, info)
                    if isinstance(d, cst.Call):
                        for arg in d.args:
                            if arg.keyword is None:
                                fn.positional.append(arg)
                            else:
                                fn.options[arg.keyword.value] = arg.value
                    (info.steps if kind == "step" else info.workflows)[stmt.name.value] = fn

    # ------------------------------------------------------------------------------------------ names
    def resolve(self, info: ModuleInfo, node: cst.BaseExpression) -> _Target | None:
        """What ``name`` or ``module.attr...`` refers to at the top level of ``info`` (None: nothing)."""
        if isinstance(node, cst.Name):
            return self.resolve_name(info, node.value)
        if isinstance(node, cst.Attribute):
            base = self.resolve(info, node.value)
            if base is None or base.kind in ("external", "problem", "broken", "missing", "unsure"):
                return base
            if base.kind != "module" or base.module is None:
                return None
            return self._member(base.module, node.attr.value)
        return None

    def resolve_name(self, info: ModuleInfo, name: str) -> _Target | None:
        """What the module-level ``name`` of ``info`` is: defined there, or imported (followed)."""
        key = (id(info), name)
        if key in self._resolved:
            return self._resolved[key]
        self._resolved[key] = None  # an import cycle resolves to nothing
        found = self._resolve_name(info, name)
        self._resolved[key] = found
        return found

    def _resolve_name(self, info: ModuleInfo, name: str) -> _Target | None:
        if name in info.unsure:
            return _Target("unsure", info, name)
        if name in info.steps:
            return _Target("step", info, name, info.steps[name])
        if name in info.workflows:
            return _Target("workflow", info, name, info.workflows[name])
        for kind, table in (
            ("table", info.step_tables),
            ("policy", info.policies),
            ("constant", info.constants),
            ("class", info.exception_bases),
            ("function", info.functions),
        ):
            if name in table:
                return _Target(kind, info, name)
        if name in info.bindings:
            return self._resolve_import(info, info.bindings[name])
        for star in info.star_imports:
            if name.startswith("_"):
                break
            base = self._resolve_import(info, star)
            if base is not None and base.kind == "module" and base.module is not None:
                found = self.resolve_name(base.module, name)
                if found is not None:
                    return found
        if name in info.values:
            return _Target("value", info, name)
        return None

    def _resolve_import(self, info: ModuleInfo, imp: _Import) -> _Target:
        try:
            mf = self.finder.resolve_import(info.file, imp.module, imp.level)
        except ImportProblem as e:
            return _Target("problem", info, f"`{imp.statement}`: {e}")
        if mf is None:
            return _Target("external", None, self.finder.absolute(info.file, imp.module, imp.level))
        mod = self.module(mf)
        if mod is None:
            return _Target("broken", None, mf.name)
        if imp.attr is None:
            return _Target("module", mod, mf.name)
        return self._member(mod, imp.attr)

    def _member(self, mod: ModuleInfo, attr: str) -> _Target:
        """``mod.attr``: a name the module defines or imports, else its submodule."""
        found = self.resolve_name(mod, attr)
        if found is not None:
            return found
        sub = self.finder.submodule(mod.file, attr)
        if sub is not None:
            sub_info = self.module(sub)
            return _Target("module", sub_info, sub.name) if sub_info else _Target("broken", None, sub.name)
        return _Target("missing", mod, attr)

    # ------------------------------------------------------------------------------------ decorators
    def decorator_kind(self, info: ModuleInfo, decorator: cst.BaseExpression) -> DslKind | None:
        """``step``/``workflow`` when the decorator is portaflow's (resolved through the imports read so
        far, as Python evaluates it at the ``def``); the rule itself is :mod:`portaflow.source.names`'."""
        dotted = dotted_name(decorator_callee(decorator))
        root = dotted.split(".", 1)[0] if dotted else ""
        stars: list[str] = []
        for star in info.star_imports:
            with contextlib.suppress(ImportProblem):
                stars.append(self.finder.absolute(info.file, star.module, star.level))
        return decorator_kind(
            self.qualified_name(info, dotted.split(".")) if dotted else None,
            dotted=dotted,
            root_bound=_binds(info, root),
            star_imports=stars,
        )

    def _note_foreign(self, info: ModuleInfo, function: str, decorator: cst.BaseExpression) -> None:
        """Remember a ``@step``/``@workflow`` that is not portaflow's, for the diagnostic of a call."""
        dotted = dotted_name(decorator_callee(decorator))
        if dotted is None or dotted.rpartition(".")[2] not in DSL_DECORATORS:
            return
        qname = self.qualified_name(info, dotted.split("."))
        known = f" is {qname}," if qname is not None and qname != dotted else " is"
        info.foreign[function] = f"@{dotted}{known} not portaflow's"

    def qualified_name(self, info: ModuleInfo, parts: list[str], depth: int = 0) -> str | None:
        """The qualified name ``a.b.c`` (as ``parts``) means at the top level of ``info``, following the
        project's imports and aliases (``portaflow.step`` for a re-export of it); None when unknown."""
        if depth > _MAX_QUALIFY_DEPTH or not parts or parts[0] in info.unsure:
            return None
        name, rest = parts[0], parts[1:]
        if name in info.functions or name in info.exception_bases:
            return ".".join([info.file.name, *parts])
        imp = info.bindings.get(name)
        if imp is not None:
            try:
                base = self.finder.absolute(info.file, imp.module, imp.level)
                mf = self.finder.resolve_import(info.file, imp.module, imp.level)
            except ImportProblem:
                return None
            tail = [imp.attr, *rest] if imp.attr is not None else rest
            return ".".join([base, *tail]) if mf is None else self._qualified_member(mf, tail, depth + 1)
        for star in info.star_imports if not name.startswith("_") else ():
            try:
                star_mf = self.finder.resolve_import(info.file, star.module, star.level)
            except ImportProblem:
                continue
            star_info = self.module(star_mf) if star_mf is not None else None
            if star_info is not None and _binds(star_info, name):
                return self.qualified_name(star_info, parts, depth + 1)
        if name in info.aliases:
            return self.qualified_name(info, [*info.aliases[name].split("."), *rest], depth + 1)
        if name in info.values:
            return ".".join([info.file.name, *parts])
        return None

    def _qualified_member(self, mf: ModuleFile, parts: list[str], depth: int) -> str | None:
        """The qualified name of ``parts`` inside the project module ``mf``."""
        if not parts:
            return mf.name
        mod = self.module(mf)
        if mod is not None and _binds(mod, parts[0]):
            return self.qualified_name(mod, parts, depth)
        sub = self.finder.submodule(mf, parts[0])
        if sub is not None:
            return self._qualified_member(sub, parts[1:], depth + 1)
        return ".".join([mf.name, *parts])

    def step_key(self, fn: _Fn) -> str:
        """The step's (or workflow's) key in the Program: its function name in the workflow's module,
        ``module.function`` when it is defined in another module of the project."""
        return fn.function if fn.module is self.entry else f"{fn.module.file.name}.{fn.function}"

    def constant(self, info: ModuleInfo, name: str) -> Any:
        """A module-level literal constant's value (defined in ``info`` or imported), else _NOT_LITERAL."""
        if name in info.constants:
            return info.constants[name]
        t = self.resolve_name(info, name)
        if t is not None and t.kind == "constant" and t.module is not None:
            return t.module.constants[t.name]
        return _NOT_LITERAL

    def _name_table(self, node: cst.Dict) -> dict[str, str] | None:
        """``{"key": some_name, ...}`` as key -> name (a candidate table of steps), else None."""
        table: dict[str, str] = {}
        for de in node.elements:
            if not isinstance(de, cst.DictElement) or not isinstance(de.value, cst.Name):
                return None
            k = self._literal(de.key)
            if not isinstance(k, str):
                return None
            table[k] = de.value.value
        return table or None

    def _dotted(self, node: cst.BaseExpression | cst.CSTNode) -> str:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute):
            return self._dotted(node.value) + "." + node.attr.value
        if isinstance(node, cst.Call):
            return self._dotted(node.func)
        return "?"

    def _option_name(self, fn: _Fn) -> str | None:
        node = fn.options.get("name")
        if node is None:
            return None
        lit = self._literal(node)
        if not isinstance(lit, str):
            self.error("PFC010", node, "name= must be a string literal", 'write name="my_step"')
            return None
        return lit

    # ----------------------------------------------------------------------------------------- literals
    def _literal(self, node: cst.BaseExpression) -> Any:
        """The Python value of a JSON-like literal expression, or _NOT_LITERAL."""
        try:
            if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)):
                return ast.literal_eval(self.code(node).strip())
            if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
                v = self._literal(node.expression)
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    return -v
                return _NOT_LITERAL
            if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[node.value]
            if isinstance(node, (cst.List, cst.Tuple)):
                out = []
                for el in node.elements:
                    if isinstance(el, cst.StarredElement):
                        return _NOT_LITERAL
                    v = self._literal(el.value)
                    if v is _NOT_LITERAL:
                        return _NOT_LITERAL
                    out.append(v)
                return out
            if isinstance(node, cst.Dict):
                d: dict[str, Any] = {}
                for de in node.elements:
                    if not isinstance(de, cst.DictElement):
                        return _NOT_LITERAL
                    k = self._literal(de.key)
                    v = self._literal(de.value)
                    if not isinstance(k, str) or v is _NOT_LITERAL:
                        return _NOT_LITERAL
                    d[k] = v
                return d
        except (ValueError, SyntaxError):
            return _NOT_LITERAL
        return _NOT_LITERAL

    def _is_timedelta(self, node: cst.BaseExpression) -> bool:
        """``timedelta(...)`` (imported from datetime), a duration wherever durations are taken."""
        assert self.info is not None
        return (
            isinstance(node, cst.Call)
            and self.info.dsl_names.get(self._dotted(node.func).rsplit(".", 1)[-1]) == "timedelta"
        )

    def _duration(self, node: cst.BaseExpression, what: str) -> float | None:
        assert self.info is not None
        lit = self._literal(node)
        if isinstance(node, cst.Name) and lit is _NOT_LITERAL:
            lit = self.constant(self.info, node.value)  # a module-level constant (or an imported one)
        if isinstance(lit, bool) or lit is _NOT_LITERAL or lit is None:
            if isinstance(node, cst.Call) and self._is_timedelta(node):
                total = 0.0
                mult = {
                    "days": 86400.0,
                    "hours": 3600.0,
                    "minutes": 60.0,
                    "seconds": 1.0,
                    "milliseconds": 0.001,
                    "weeks": 604800.0,
                }
                for arg in node.args:
                    kw = arg.keyword.value if arg.keyword is not None else "days"
                    v = self._literal(arg.value)
                    if kw not in mult or not isinstance(v, (int, float)) or isinstance(v, bool):
                        self.error(
                            "PFC012",
                            arg,
                            f"{what}: timedelta arguments must be number literals",
                            'write e.g. timedelta(minutes=5) or "5m"',
                        )
                        return None
                    total += float(v) * mult[kw]
                return total
            self.error(
                "PFC010",
                node,
                f"{what} must be a literal duration, not `{self.code(node)}`",
                'write a literal such as "30s", "5m", "1h30m" or a number of seconds',
            )
            return None
        if isinstance(lit, (int, float)):
            if lit < 0:
                self.error("PFC012", node, f"{what} must not be negative", 'write e.g. "30s"')
                return None
            return float(lit)
        if isinstance(lit, str):
            try:
                return parse_duration(lit, what=what)
            except ValueError as e:
                self.error("PFC012", node, str(e), 'write e.g. "250ms", "30s", "5m", "2h", "3d"')
                return None
        self.error("PFC012", node, f"{what} must be a duration", 'write e.g. "30s"')
        return None

    # ---------------------------------------------------------------------------------- exception names
    def exception_tree(self) -> dict[str, tuple[str, ...]]:
        """Exception class name -> names of its bases, for the built-ins and every class of the project's
        modules the workflow's module imports (a class name seen twice gets the bases of both)."""
        if self._exception_tree is None:
            tree: dict[str, tuple[str, ...]] = dict(BUILTIN_EXCEPTIONS)
            entry = self.entry.module if self.entry is not None else None
            for _, module in self.finder.closure(entry):
                if module is None:
                    continue
                for stmt in module.body:
                    if isinstance(stmt, cst.ClassDef):
                        bases = tuple(self._dotted(a.value).rsplit(".", 1)[-1] for a in stmt.bases)
                        old = tree.get(stmt.name.value, ())
                        tree[stmt.name.value] = old + tuple(b for b in bases if b not in old)
            self._exception_tree = tree
        return self._exception_tree

    def exception_attributes(self) -> set[str]:
        """Attribute names the classes of the project's modules define (``name = ...`` in the class body,
        ``self.name`` in a method): ``e.message`` of such a class exists without being a StepFailed."""
        if self._exception_attributes is None:
            found: set[str] = set()

            class SelfAttributes(cst.CSTVisitor):
                def visit_Attribute(self, node: cst.Attribute) -> None:
                    if isinstance(node.value, cst.Name) and node.value.value == "self":
                        found.add(node.attr.value)

            entry = self.entry.module if self.entry is not None else None
            for _, module in self.finder.closure(entry):
                for cls in module.body if module is not None else ():
                    if not isinstance(cls, cst.ClassDef):
                        continue
                    cls.body.visit(SelfAttributes())  # self.name in a method
                    for line in cls.body.body:  # name = ... / name: T = ... in the class body
                        for small in line.body if isinstance(line, cst.SimpleStatementLine) else ():
                            if isinstance(small, cst.Assign):
                                found.update(
                                    t.target.value for t in small.targets if isinstance(t.target, cst.Name)
                                )
                            elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                                found.add(small.target.value)
            self._exception_attributes = found
        return self._exception_attributes

    def exception_matches(self, names: Sequence[str]) -> tuple[str, ...]:
        """``names`` plus every subclass the compiler can see: built-ins, and the classes of the workflow's
        module and of every project module it imports (transitively)."""
        tree = self.exception_tree()

        def ancestors(n: str, seen: set[str]) -> set[str]:
            out = {n}
            for b in tree.get(n, ()):
                if b not in seen:
                    seen.add(b)
                    out |= ancestors(b, seen)
            return out

        result: list[str] = []
        for n in names:
            if n not in result:
                result.append(n)
        for cls in sorted(tree):
            if cls in result:
                continue
            if ancestors(cls, set()) & set(names):
                result.append(cls)
        return tuple(result)

    # ------------------------------------------------------------------------------------------- steps
    def lower_step(self, fn: _Fn) -> tuple[str, ir.StepDef]:
        """The step's key and definition (its options are checked once, in its own module)."""
        key = self.step_key(fn)
        if key not in self._steps_ir:
            with self.within(fn.module, keep=True):
                self._steps_ir[key] = self._lower_step(fn)
        return key, self._steps_ir[key]

    def _lower_step(self, fn: _Fn) -> ir.StepDef:
        self._positional_options(fn)
        node = fn.node
        if node.asynchronous is not None:  # refused by @step at import, so by `portaflow run` too
            self.error(
                "PFC003",
                node.asynchronous,
                f"a step must be a plain (sync) function, not `async def {node.name.value}`",
                f"write def {node.name.value}(...); to use async code inside it, call "
                "asyncio.run(...) in its body",
            )
        params: list[str] = []
        required: list[str] = []
        for p in node.params.params:
            params.append(p.name.value)
            if p.default is None:
                required.append(p.name.value)
        for p in node.params.kwonly_params:
            params.append(p.name.value)
            if p.default is None:
                required.append(p.name.value)
        if isinstance(node.params.star_arg, cst.Param):
            self.error(
                "PFC003",
                node.params.star_arg,
                "a step cannot take *args: arguments are bound by name",
                "declare each parameter by name",
            )
        retry = ir.RetrySpec()
        timeout: float | None = None
        locs: dict[str, ir.Loc] = {}
        for opt, value in fn.options.items():
            if opt == "retry":
                locs["retry"] = self.pos(value)
                retry = self._retry_policy(value, locs)
            elif opt == "timeout":
                if not (isinstance(value, cst.Name) and value.value == "None"):
                    timeout = self._duration(value, "timeout")
                    locs["timeout"] = self.pos(value)
            elif opt != "name":
                self.error(
                    "PFC011",
                    value,
                    f"@step has no option {opt!r}",
                    'the options are retry=RetryPolicy(...), timeout="30s", name="..."',
                )
        returns: ir.Type = "any"
        if node.returns is not None:
            returns = ANNOTATION_TYPES.get(self._dotted(node.returns.annotation).split("[")[0], "any")
            ann = node.returns.annotation
            if isinstance(ann, cst.Subscript):
                returns = ANNOTATION_TYPES.get(self._dotted(ann.value), "any")
        name = self._option_name(fn) or node.name.value
        sd = ir.StepDef(
            name=name,
            function=node.name.value,
            params=tuple(p for p in params if p != "idempotency_key"),
            required=tuple(p for p in required if p != "idempotency_key"),
            wants_idempotency_key="idempotency_key" in params,
            retry=retry,
            timeout_seconds=timeout,
            returns=returns,
            loc=self.pos(node),
            module=fn.module.file.name,
            source=fn.module.path,
            option_locs=tuple(sorted(locs.items())),
        )
        return sd

    def _positional_options(self, fn: _Fn) -> None:
        for arg in fn.positional:
            self.error(
                "PFC011", arg, f"@{fn.kind} takes keyword arguments only", f"write @{fn.kind}(name=...)"
            )

    def _retry_policy(self, node: cst.BaseExpression, locs: dict[str, ir.Loc] | None = None) -> ir.RetrySpec:
        """The literal RetryPolicy; ``locs`` receives the position of each interval argument."""
        assert self.info is not None
        if isinstance(node, cst.Name) and node.value in self.info.policies:
            node = self.info.policies[node.value]  # a module-level constant holding a literal RetryPolicy
        elif isinstance(node, cst.Name):
            t = self.resolve_name(self.info, node.value)
            if t is not None and t.kind == "policy" and t.module is not None:
                with self.within(t.module):  # a constant imported from another module: read it there
                    return self._retry_policy(t.module.policies[t.name])
        if not (
            isinstance(node, cst.Call)
            and self.info.dsl_names.get(self._dotted(node.func).rsplit(".", 1)[-1]) == "RetryPolicy"
        ):
            self.error(
                "PFC010",
                node,
                f"retry= must be a literal RetryPolicy(...) call, not `{self.code(node)}`",
                'write retry=RetryPolicy(max_attempts=3, initial_interval="1s") in the decorator',
            )
            return ir.RetrySpec()
        fields: dict[str, Any] = {}
        order = ["max_attempts", "initial_interval", "backoff", "max_interval", "non_retryable"]
        for i, arg in enumerate(node.args):
            kw = arg.keyword.value if arg.keyword is not None else (order[i] if i < len(order) else "?")
            v = arg.value
            if kw == "max_attempts":
                lit = self._literal(v)
                if not isinstance(lit, int) or isinstance(lit, bool) or lit < 1:
                    self.error(
                        "PFC011",
                        v,
                        "max_attempts must be an integer literal >= 1",
                        "write e.g. max_attempts=3 (it counts the first attempt)",
                    )
                else:
                    fields[kw] = lit
            elif kw in ("initial_interval", "max_interval"):
                d = self._duration(v, kw)
                if d is not None:
                    fields[kw] = d
                    if locs is not None:
                        locs[kw] = self.pos(v)
            elif kw == "backoff":
                lit = self._literal(v)
                if not isinstance(lit, (int, float)) or isinstance(lit, bool) or lit < 1:
                    self.error("PFC011", v, "backoff must be a number literal >= 1", "write e.g. backoff=2.0")
                else:
                    fields[kw] = float(lit)
            elif kw == "non_retryable":
                names: list[str] = []
                if isinstance(v, (cst.List, cst.Tuple)):
                    for el in v.elements:
                        e = el.value
                        lit = self._literal(e)
                        if isinstance(lit, str):
                            names.append(lit)
                        elif isinstance(e, (cst.Name, cst.Attribute)):
                            names.append(self._dotted(e).rsplit(".", 1)[-1])
                        else:
                            self.error(
                                "PFC010",
                                e,
                                "non_retryable entries must be exception classes or names",
                                'write non_retryable=[ValueError, "PaymentDeclined"]',
                            )
                else:
                    self.error(
                        "PFC010",
                        v,
                        "non_retryable must be a literal list or tuple",
                        "write non_retryable=[ValueError]",
                    )
                fields[kw] = tuple(names)
            else:
                self.error(
                    "PFC011",
                    arg,
                    f"RetryPolicy has no argument {kw!r}",
                    "the arguments are " + ", ".join(order),
                )
        nr: tuple[str, ...] = fields.get("non_retryable", ())
        initial = fields.get("initial_interval", 1.0)
        if "max_interval" in fields and fields["max_interval"] < initial:
            self.error(
                "PFC011",
                node,
                "RetryPolicy.max_interval must not be shorter than initial_interval",
                "raise max_interval, or leave it out (it defaults to 60s, or to initial_interval if longer)",
            )
        spec = ir.RetrySpec(
            max_attempts=fields.get("max_attempts", 3),
            initial_interval=initial,
            backoff=fields.get("backoff", 2.0),
            max_interval=fields.get("max_interval", max(60.0, initial)),
            non_retryable=nr,
            non_retryable_matches=self.exception_matches(nr) if nr else (),
        )
        return spec

    # --------------------------------------------------------------------------------------- workflows
    def lower_workflow(self, fn: _Fn, stack: tuple[str, ...] = ()) -> tuple[str, ir.WorkflowDef | None]:
        """The workflow's key and definition, lowered once, in its own module."""
        key = self.step_key(fn)
        if key in self._workflows_ir:
            return key, self._workflows_ir[key]
        with self.within(fn.module, keep=True):
            self._positional_options(fn)
            for opt, value in fn.options.items():
                if opt != "name":
                    self.error(
                        "PFC011", value, f"@workflow has no option {opt!r}", 'write @workflow(name="...")'
                    )
            name = self._option_name(fn) or fn.function
            lowerer = _WorkflowLowerer(self, fn, (*stack, key))
            wf = lowerer.run(name)
        if wf is not None:
            self._workflows_ir[key] = wf
        return key, wf


_NOT_LITERAL: Any = object()


_BINARY_OPS: dict[type, str] = {
    cst.Add: "+",
    cst.Subtract: "-",
    cst.Multiply: "*",
    cst.Divide: "/",
    cst.FloorDivide: "//",
    cst.Modulo: "%",
    cst.Power: "**",
}
_AUG_OPS: dict[type, str] = {
    cst.AddAssign: "+",
    cst.SubtractAssign: "-",
    cst.MultiplyAssign: "*",
    cst.DivideAssign: "/",
    cst.FloorDivideAssign: "//",
    cst.ModuloAssign: "%",
    cst.PowerAssign: "**",
}


class _Unsupported(Exception):
    pass


class _BadArguments(_Unsupported):
    """A builtin or method called with arguments its signature refuses (reported): the call's value is a
    placeholder, so that lowering goes on and reports the rest of the statement too."""


class _WorkflowLowerer:
    def __init__(self, fe: Frontend, fn: _Fn, stack: tuple[str, ...]) -> None:
        self.fe = fe
        self.fn = fn
        self.stack = stack
        self.info = fn.module
        self.ctx = ""
        self.locals: set[str] = set()
        self.types: dict[str, ir.Type] = {}
        self.assigned_types: dict[str, ir.Type] = {}
        self.error_vars: set[str] = set()
        self.loop_depth = 0
        self.finally_depth = 0
        self.nested_defs: dict[str, cst.FunctionDef] = {}
        self.handler_vars: list[str | None] = []
        self.step_failures_only: dict[
            str, bool
        ] = {}  # except-variable -> its handler catches only StepFailed
        self.hoist: list[ir.Stmt] | None = None
        self._hoisted = 0
        self.report = True
        self.now_names: set[str] = set()  # locals only ever assigned ctx.now(): datetimes

    # --------------------------------------------------------------------------------------------- entry
    def run(self, name: str) -> ir.WorkflowDef | None:
        node = self.fn.node
        if node.asynchronous is not None:  # `portaflow run` refuses it at import, as every engine would
            self.fe.error(
                "PFC003",
                node.asynchronous,
                f"a workflow must be a plain (sync) function, not `async def {node.name.value}`",
                f"write def {node.name.value}(ctx: Context, ...): call steps directly (no await), wait with "
                "ctx.sleep / ctx.wait_for_event, and run steps concurrently with ctx.map / ctx.parallel",
            )
            return None
        params = list(node.params.params)
        if not params:
            self.fe.error(
                "PFC003",
                node,
                "a workflow's first parameter must be the Context",
                f"write def {node.name.value}(ctx: Context, ...)",
            )
            return None
        self.ctx = params[0].name.value
        ir_params: list[ir.Param] = []
        for p in params[1:] + list(node.params.kwonly_params):
            ty: ir.Type = "any"
            if p.annotation is not None:
                ty = ANNOTATION_TYPES.get(self.fe._dotted(p.annotation.annotation).split("[")[0], "any")
                if isinstance(p.annotation.annotation, cst.Subscript):
                    ty = ANNOTATION_TYPES.get(self.fe._dotted(p.annotation.annotation.value), "any")
            self._check_name(p.name)
            self.types[p.name.value] = ty
            self.locals.add(p.name.value)
            default = None
            if p.default is not None:
                lit = self.fe._literal(p.default)
                if lit is _NOT_LITERAL:
                    self.fe.error(
                        "PFC010",
                        p.default,
                        "a workflow parameter's default must be a JSON literal",
                        "write a number, string, bool, None, list or dict literal",
                    )
                else:
                    default = ir.Const(lit, _type_of_value(lit))
            ir_params.append(ir.Param(p.name.value, default, ty))
        if node.params.star_arg is not None and isinstance(node.params.star_arg, cst.Param):
            self.fe.error(
                "PFC003",
                node.params.star_arg,
                "a workflow cannot take *args",
                "take named parameters: they come from the input object",
            )
        if node.params.star_kwarg is not None:
            self.fe.error(
                "PFC003",
                node.params.star_kwarg,
                "a workflow cannot take **kwargs",
                "take named parameters: they come from the input object",
            )
        body_nodes = self._body_statements(node.body)
        self._collect_locals(body_nodes)
        self._collect_now_names(node.body, {p.name for p in ir_params})
        # type inference: iterate to a fixed point without reporting, then lower once more, reporting.
        self.report = False
        n_diags = len(self.fe.diags)
        for _ in range(3):
            before = dict(self.types)
            self.assigned_types = {}
            self._hoisted = 0
            self._lower_body(body_nodes)
            for k, v in self.assigned_types.items():
                if k not in {p.name for p in ir_params} or self.types.get(k) == "any":
                    self.types[k] = v
            if self.types == before:
                break
        del self.fe.diags[n_diags:]
        self.report = True
        self._hoisted = 0
        body = self._lower_body(body_nodes)
        return ir.WorkflowDef(
            name,
            node.name.value,
            self.ctx,
            tuple(ir_params),
            tuple(body),
            self.fe.pos(node),
            module=self.info.file.name,
            source=self.info.path,
        )

    def _arith_operator(self, operator: cst.CSTNode, table: dict[type, str]) -> str:
        """The IR name of an arithmetic operator (binary or augmented); PFC021 for the others."""
        op = table.get(type(operator))
        if op is None:
            self.error(
                "PFC021",
                operator,
                f"operator `{self.fe.code(operator).strip()}` is not supported",
                "use + - * / // % ** only",
            )
            raise _Unsupported
        return op

    def error(self, code: str, node: cst.CSTNode, message: str, hint: str = "") -> None:
        if self.report:
            self.fe.error(code, node, message, hint)

    def _check_name(self, name: cst.Name) -> None:
        if name.value.startswith(RESERVED_PREFIX):
            self.error(
                "PFC036",
                name,
                f"the name {name.value!r} is reserved by the compiler",
                f"rename it, e.g. {name.value.lstrip('_')}_",
            )

    def _body_statements(self, body: cst.BaseSuite) -> list[cst.CSTNode]:
        if isinstance(body, cst.SimpleStatementSuite):
            return list(body.body)
        out: list[cst.CSTNode] = []
        for s in cast(cst.IndentedBlock, body).body:
            if isinstance(s, cst.SimpleStatementLine):
                out.extend(s.body)
            else:
                out.append(s)
        return out

    def _is_now(self, node: cst.BaseExpression) -> bool:
        """``ctx.now()``, or a local every assignment of which is ``= ctx.now()``: a datetime here (an ISO
        string on cloud targets), so ``.timestamp()`` and ``.isoformat()`` are known to apply."""
        if isinstance(node, cst.Name):
            return node.value in self.now_names
        return (
            isinstance(node, cst.Call)
            and not node.args
            and isinstance(node.func, cst.Attribute)
            and isinstance(node.func.value, cst.Name)
            and node.func.value.value == self.ctx
            and node.func.attr.value == "now"
        )

    def _collect_now_names(self, body: cst.CSTNode, params: set[str]) -> None:
        """The names bound only by ``name = ctx.now()`` anywhere in the workflow (any other binding,
        comprehension and lambda variables included, disqualifies a name)."""
        good: set[str] = set()
        bad: set[str] = set(params)
        outer = self

        class V(cst.CSTVisitor):
            def visit_Assign(self, node: cst.Assign) -> None:
                for t in node.targets:
                    self.bind(t.target, outer._is_now(node.value) and not isinstance(node.value, cst.Name))

            def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
                now = node.value is not None and outer._is_now(node.value)
                self.bind(node.target, now and not isinstance(node.value, cst.Name))

            def visit_AugAssign(self, node: cst.AugAssign) -> None:
                self.bind(node.target, False)

            def visit_For(self, node: cst.For) -> None:
                self.bind(node.target, False)

            def visit_CompFor(self, node: cst.CompFor) -> None:
                self.bind(node.target, False)

            def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
                self.bind(node.target, False)

            def visit_AsName(self, node: cst.AsName) -> None:
                self.bind(node.name, False)  # `except E as e`, `with x as y`

            def visit_Param(self, node: cst.Param) -> None:
                self.bind(node.name, False)  # lambdas, nested defs

            def bind(self, t: cst.BaseExpression | cst.CSTNode, now: bool) -> None:
                if isinstance(t, cst.Name):
                    (good if now else bad).add(t.value)
                elif isinstance(t, (cst.Tuple, cst.List)):
                    for el in t.elements:
                        self.bind(el.value, False)

        body.visit(V())
        self.now_names = good - bad

    def _collect_locals(self, nodes: Sequence[cst.CSTNode]) -> None:
        class V(cst.CSTVisitor):
            def __init__(self, outer: _WorkflowLowerer) -> None:
                self.o = outer

            def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
                self._t(node.target)

            def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
                self._t(node.target)

            def visit_AugAssign(self, node: cst.AugAssign) -> None:
                self._t(node.target)

            def visit_For(self, node: cst.For) -> None:
                self._t(node.target)

            def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
                if node.name is not None and isinstance(node.name.name, cst.Name):
                    self.o.locals.add(node.name.name.value)
                    self.o.error_vars.add(node.name.name.value)

            def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
                self.o.nested_defs[node.name.value] = node
                return False

            def visit_Lambda(self, node: cst.Lambda) -> bool:
                return False

            def visit_ListComp(self, node: cst.ListComp) -> bool:
                return False

            def visit_DictComp(self, node: cst.DictComp) -> bool:
                return False

            def visit_GeneratorExp(self, node: cst.GeneratorExp) -> bool:
                return False

            def _t(self, t: cst.BaseExpression) -> None:
                if isinstance(t, cst.Name):
                    self.o.locals.add(t.value)
                elif isinstance(t, (cst.Tuple, cst.List)):
                    for el in t.elements:
                        self._t(el.value)

        v = V(self)
        for n in nodes:
            n.visit(v)

    # ---------------------------------------------------------------------------------------- statements
    def _lower_body(self, nodes: Sequence[cst.CSTNode]) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for n in nodes:
            saved = self.hoist
            # ctx.now()/uuid4()/random()/idempotency_key() inside an expression become statements before it
            self.hoist = (
                [] if not isinstance(n, (cst.While, cst.For, cst.If, cst.Try, cst.FunctionDef)) else None
            )
            try:
                with contextlib.suppress(_Unsupported):
                    lowered = self._stmt(n)
                    out.extend([*(self.hoist or []), *lowered])
            finally:
                self.hoist = saved
        return out

    def _suite(self, body: cst.BaseSuite) -> list[ir.Stmt]:
        return self._lower_body(self._body_statements(body))

    def _stmt(self, n: cst.CSTNode) -> list[ir.Stmt]:
        loc = self.fe.pos(n)
        if isinstance(n, cst.Pass):
            return []
        if isinstance(n, cst.Expr):
            v = n.value
            if isinstance(v, (cst.SimpleString, cst.ConcatenatedString)):
                return []  # docstring / comment string
            if isinstance(v, cst.Call):
                special = self._call_statement(v, None, loc)
                if special is not None:
                    return special
                func = v.func
                if (
                    isinstance(func, cst.Attribute)
                    and func.attr.value in LIST_MUTATORS
                    and isinstance(func.value, cst.Name)
                ):
                    return self._list_mutation(v, func, loc)
                if isinstance(func, cst.Name) and func.value == "print":
                    self.error(
                        "PFC022",
                        v,
                        "print() is a side effect, and a workflow is replayed",
                        "do output in a @step (or return it from the workflow)",
                    )
                    raise _Unsupported
                if self._callee(func) is not None or (
                    isinstance(func, cst.Name)
                    and func.value not in self.locals
                    and func.value not in BUILTINS_SUPPORTED
                    and not hasattr(builtins, func.value)
                ):
                    self._not_a_step(v, func)
                if isinstance(func, cst.Attribute) and self._value_receiver(func.value):
                    self._method_statement(v, func)
            self.error(
                "PFC020",
                n,
                "an expression statement must be a call of a step, a workflow or a ctx primitive",
                "assign the value to a variable, or remove the statement",
            )
            raise _Unsupported
        if isinstance(n, cst.Assign):
            if len(n.targets) != 1:
                out: list[ir.Stmt] = []
                first = n.targets[0].target
                out += self._assign(first, n.value, loc, n)
                for t in n.targets[1:]:
                    out += self._assign_value(t.target, self._expr(first), loc)
                return out
            return self._assign(n.targets[0].target, n.value, loc, n)
        if isinstance(n, cst.AnnAssign):
            if n.value is None:
                return []
            return self._assign(n.target, n.value, loc, n)
        if isinstance(n, cst.AugAssign):
            op = self._arith_operator(n.operator, _AUG_OPS)
            if isinstance(n.value, cst.Call) and self._is_step_like(n.value):
                self.error(
                    "PFC023",
                    n.value,
                    "a step call cannot be part of an augmented assignment",
                    "assign the step's result to a variable first, then add it",
                )
                raise _Unsupported
            cur = self._expr(n.target)
            operand = self._expr(n.value)
            rhs = self._binop(cast(ir.BinOpName, op), cur, operand)
            # `xs += ys` and `xs *= n` extend a list in place; on numbers and strings they rebind
            extends = op == "+" and operand.ty in ("list", "any")
            repeats = op == "*" and operand.ty in ("int", "bool", "any")
            in_place = cur.ty in ("list", "any") and (extends or repeats)
            if isinstance(n.target, cst.Name):
                self._record_type(n.target.value, rhs.ty)
                return [ir.Assign(ir.NameTarget(n.target.value), rhs, loc, in_place)]
            if isinstance(n.target, cst.Subscript):
                return self._set_item(n.target, rhs, loc, in_place)
            self.error(
                "PFC025",
                n.target,
                "only a name or a subscript can be assigned to",
                "assign to a local variable",
            )
            raise _Unsupported
        if isinstance(n, cst.If):
            return [self._if(n)]
        if isinstance(n, cst.While):
            if n.orelse is not None:
                self.error(
                    "PFC020",
                    n.orelse,
                    "while ... else is not supported",
                    "use a flag variable set before `break`",
                )
            test = self._expr(n.test)
            self.loop_depth += 1
            body = self._suite(n.body)
            self.loop_depth -= 1
            return [ir.While(test, tuple(body), loc)]
        if isinstance(n, cst.For):
            if n.orelse is not None:
                self.error(
                    "PFC020",
                    n.orelse,
                    "for ... else is not supported",
                    "use a flag variable set before `break`",
                )
            if n.asynchronous is not None:
                self.error("PFC020", n, "async for is not supported", "use a plain for loop")
            it = self._expr(n.iter)
            target = self._target(n.target)
            self._bind_target_types(target, _elem_type(it))
            self.loop_depth += 1
            body = self._suite(n.body)
            self.loop_depth -= 1
            return [ir.For(target, it, tuple(body), loc)]
        if isinstance(n, (cst.Break, cst.Continue)):
            word = "break" if isinstance(n, cst.Break) else "continue"
            if self.loop_depth == 0:
                self.error("PFC035", n, f"`{word}` outside a loop", "remove it")
                raise _Unsupported
            return [ir.Break(loc) if isinstance(n, cst.Break) else ir.Continue(loc)]
        if isinstance(n, cst.Return):
            if self.finally_depth:
                self.error(
                    "PFC035", n, "return inside finally is not supported", "return after the try statement"
                )
            if n.value is None:
                return [ir.Return(ir.Const(None, "none"), loc)]
            if isinstance(n.value, cst.Call):
                tmp = f"{RESERVED_PREFIX}ret"
                special = self._call_statement(n.value, ir.NameTarget(tmp), loc)
                if special is not None:
                    return [*special, ir.Return(ir.Name(tmp, "any"), loc)]
            return [ir.Return(self._expr(n.value), loc)]
        if isinstance(n, cst.Raise):
            return [self._raise(n, loc)]
        if isinstance(n, cst.Try):
            return [self._try(n, loc)]
        if isinstance(n, cst.Assert):
            test = self._expr(n.test)
            msg = self._expr(n.msg) if n.msg is not None else ir.Const("", "str")
            return [ir.If(ir.UnaryOp("not", test, "bool"), (ir.Raise("AssertionError", msg, loc),), (), loc)]
        if isinstance(n, cst.FunctionDef):
            if n.name.value in self.nested_defs and self._used_in_parallel(n.name.value):
                return []
            self.error(
                "PFC020",
                n,
                "a nested function is only supported as a ctx.parallel branch",
                "move it to module level as a @step, or pass it to ctx.parallel(...)",
            )
            raise _Unsupported
        names = {
            cst.With: ("with", "do the work inside a @step"),
            cst.Global: ("global", "keep state in local variables"),
            cst.Nonlocal: ("nonlocal", "keep state in local variables"),
            cst.Del: ("del", "assign a new value instead, e.g. d = {k: v for k, v in d.items() if k != key}"),
            cst.Import: ("import", "import at module level, and call the code from a @step"),
            cst.ImportFrom: ("import", "import at module level, and call the code from a @step"),
            cst.ClassDef: ("class", "define classes at module level"),
            cst.Match: ("match", "use if/elif/else"),
            cst.TryStar: ("try/except*", "use try/except"),
        }
        for typ, (word, hint) in names.items():
            if isinstance(n, typ):
                self.error("PFC020", n, f"`{word}` is not supported in a workflow", hint)
                raise _Unsupported
        self.error(
            "PFC020",
            n,
            f"statement `{self.fe.code(n).strip().splitlines()[0]}` is not supported in a workflow",
            "see docs/dsl.md for the supported subset",
        )
        raise _Unsupported

    def _used_in_parallel(self, name: str) -> bool:
        code = self.fe.code(self.fn.node)
        return f"{self.ctx}.parallel" in code and name in code

    def _if(self, n: cst.If) -> ir.If:
        test = self._expr(n.test)
        body = self._suite(n.body)
        orelse: list[ir.Stmt] = []
        if isinstance(n.orelse, cst.If):
            orelse = [self._if(n.orelse)]
        elif isinstance(n.orelse, cst.Else):
            orelse = self._suite(n.orelse.body)
        return ir.If(test, tuple(body), tuple(orelse), self.fe.pos(n))

    def _raise(self, n: cst.Raise, loc: ir.Loc) -> ir.Raise:
        if n.exc is None:
            return ir.Raise(None, None, loc, self.handler_vars[-1] if self.handler_vars else None)
        exc = n.exc
        if isinstance(exc, cst.Name) and exc.value in self.error_vars:
            return ir.Raise(None, None, loc, exc.value)
        if isinstance(exc, (cst.Name, cst.Attribute)):
            self._callee(exc)  # PFC026 for a class imported only under `if TYPE_CHECKING:`
            return ir.Raise(self.fe._dotted(exc).rsplit(".", 1)[-1], ir.Const("", "str"), loc)
        if isinstance(exc, cst.Call) and isinstance(exc.func, (cst.Name, cst.Attribute)):
            tname = self.fe._dotted(exc.func).rsplit(".", 1)[-1]
            callee = self._callee(exc.func)
            if callee is not None and callee.kind in ("step", "workflow"):
                self.error("PFC034", exc, "raise needs an exception class", 'write raise ValueError("...")')
                raise _Unsupported
            if len(exc.args) > 1 or any(a.keyword is not None for a in exc.args):
                self.error(
                    "PFC034",
                    exc,
                    "raise takes an exception with at most one message argument",
                    'write raise ValueError(f"...{x}...")',
                )
                raise _Unsupported
            msg: ir.Expr = ir.Const("", "str")
            if exc.args:
                arg = self._expr(exc.args[0].value)
                if tname in self.fe.exception_matches(["KeyError"]):  # str(KeyError(k)) is repr(k)
                    msg = ir.FString((ir.FormattedValue(arg, "r"),))
                else:
                    msg = self._str_of(arg)
            return ir.Raise(tname, msg, loc)
        self.error("PFC034", exc, "raise must name an exception class", 'write raise ValueError("...")')
        raise _Unsupported

    def _try(self, n: cst.Try, loc: ir.Loc) -> ir.Try:
        body = self._suite(n.body)
        handlers: list[ir.Handler] = []
        for h in n.handlers:
            names: list[str] = []
            catch_all = False
            if h.type is None:
                catch_all = True
            else:
                elts = h.type.elements if isinstance(h.type, cst.Tuple) else None
                exprs = [e.value for e in elts] if elts is not None else [h.type]
                for e in exprs:
                    if isinstance(e, (cst.Name, cst.Attribute)):
                        self._callee(e)  # PFC026 for a class imported only under `if TYPE_CHECKING:`
                        nm = self.fe._dotted(e).rsplit(".", 1)[-1]
                        names.append(nm)
                        if nm in CATCH_ALL:
                            catch_all = True
                    else:
                        self.error(
                            "PFC033",
                            e,
                            "except needs exception class names",
                            "write except (ValueError, KeyError) as e:",
                        )
            var = None
            if h.name is not None and isinstance(h.name.name, cst.Name):
                var = h.name.name.value
            self.handler_vars.append(var)
            saved = dict(self.step_failures_only)
            if var:  # `except StepFailed as e`: e is a step's failure, its attributes exist
                self.step_failures_only[var] = bool(names) and not catch_all and set(names) == {"StepFailed"}
            try:
                hbody = self._suite(h.body)
            finally:
                self.handler_vars.pop()
                self.step_failures_only = saved
            matches = () if catch_all else self.fe.exception_matches(names)
            handlers.append(ir.Handler(tuple(names), matches, catch_all, var, tuple(hbody)))
        orelse = self._suite(n.orelse.body) if n.orelse is not None else []
        finalbody: list[ir.Stmt] = []
        if n.finalbody is not None:
            self.finally_depth += 1
            finalbody = self._suite(n.finalbody.body)
            self.finally_depth -= 1
        return ir.Try(tuple(body), tuple(handlers), tuple(orelse), tuple(finalbody), loc)

    # ----------------------------------------------------------------------------------- assignments
    def _target(self, t: cst.BaseExpression) -> ir.Target:
        if isinstance(t, cst.Name):
            self._check_name(t)
            return ir.NameTarget(t.value)
        if isinstance(t, (cst.Tuple, cst.List)):
            elts = []
            for el in t.elements:
                if isinstance(el, cst.StarredElement):
                    self.error("PFC025", el, "starred assignment is not supported", "index the list instead")
                    raise _Unsupported
                elts.append(self._target(el.value))
            return ir.TupleTarget(tuple(elts))
        self.error(
            "PFC025",
            t,
            f"cannot assign to `{self.fe.code(t)}`",
            "assign to a local variable, a tuple of names, or name[key]",
        )
        raise _Unsupported

    def _record_type(self, name: str, ty: ir.Type) -> None:
        self.assigned_types[name] = _join_types(self.assigned_types.get(name), ty)

    def _bind_target_types(self, t: ir.Target, ty: ir.Type) -> None:
        if isinstance(t, ir.NameTarget):
            self._record_type(t.id, ty)
        else:
            for e in t.elts:
                self._bind_target_types(e, "any")

    def _assign(
        self, target: cst.BaseExpression, value: cst.BaseExpression, loc: ir.Loc, node: cst.CSTNode
    ) -> list[ir.Stmt]:
        if isinstance(target, cst.Subscript):
            if isinstance(value, cst.Call) and self._is_step_like(value):
                tmp = ir.NameTarget(f"{RESERVED_PREFIX}tmp")
                special = self._call_statement(value, tmp, loc)
                assert special is not None
                return special + self._set_item(target, ir.Name(tmp.id), loc)
            return self._set_item(target, self._expr(value), loc)
        t = self._target(target)
        if isinstance(value, cst.Call):
            special = self._call_statement(value, t, loc)
            if special is not None:
                return special
        return self._assign_value(target, self._expr(value), loc)

    def _assign_value(self, target: cst.BaseExpression, value: ir.Expr, loc: ir.Loc) -> list[ir.Stmt]:
        t = self._target(target)
        self._bind_target_types(t, value.ty)
        return [ir.Assign(t, value, loc)]

    def _set_item(
        self, target: cst.Subscript, value: ir.Expr, loc: ir.Loc, in_place: bool = False
    ) -> list[ir.Stmt]:
        if (
            not isinstance(target.value, cst.Name)
            or len(target.slice) != 1
            or not isinstance(target.slice[0].slice, cst.Index)
        ):
            self.error(
                "PFC025",
                target,
                "only name[key] = value on a local list or dict is supported",
                "build the nested value in a local variable, then assign it",
            )
            raise _Unsupported
        name = target.value.value
        if name not in self.locals:
            self.error("PFC026", target.value, f"name {name!r} is not defined", "assign it first")
            raise _Unsupported
        idx = self._expr(target.slice[0].slice.value)
        return [ir.SetItem(name, idx, value, loc, in_place)]

    def _list_mutation(self, call: cst.Call, func: cst.Attribute, loc: ir.Loc) -> list[ir.Stmt]:
        name = cast(cst.Name, func.value).value
        if name not in self.locals:
            self.error(
                "PFC026",
                func.value,
                f"name {name!r} is not defined (or not a local list)",
                "append to a list assigned in this workflow",
            )
            raise _Unsupported
        for a in call.args:
            if a.star:
                self.error("PFC021", a, "*args in calls are not supported", "pass each argument")
                raise _Unsupported
        [argnode], _ = self._arguments(
            call,
            f"list.{func.attr.value}",
            [a.value for a in call.args if a.keyword is None],
            [(a.keyword.value, a.value) for a in call.args if a.keyword is not None],
        )
        before: list[ir.Stmt] = []
        if isinstance(argnode, cst.Call) and self._is_step_like(argnode):
            # xs.append(step(...)): the step call is a statement of its own, then its result is appended
            tmp = ir.NameTarget(f"{RESERVED_PREFIX}arg")
            special = self._call_statement(argnode, tmp, loc)
            if special is None:
                raise _Unsupported
            before = special
            arg: ir.Expr = ir.Name(tmp.id)
        else:
            arg = self._expr(argnode)
        cur = ir.Name(name, "list")
        new: ir.Expr = ir.BinOp("+", cur, ir.ListExpr((arg,)) if func.attr.value == "append" else arg, "list")
        self._record_type(name, "list")
        return [*before, ir.Assign(ir.NameTarget(name), new, loc, in_place=True)]

    def _value_receiver(self, node: cst.BaseExpression) -> bool:
        """Whether ``node`` is a workflow value whose method a statement calls: a local (or an item of one),
        a string literal, ``ctx.now()``."""
        if self._is_now(node) or isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            return True
        while isinstance(node, (cst.Subscript, cst.Attribute)):
            node = node.value
        return isinstance(node, cst.Name) and node.value in self.locals

    def _method_statement(self, call: cst.Call, func: cst.Attribute) -> NoReturn:
        """``value.method(...)`` as a statement, not ``xs.append/extend`` of a local list: a method that
        only computes a value is PFC020 (the statement discards it); any other is PFC024, with the
        statements that do its work (values are copied on the targets, so a method cannot change one in
        place)."""
        method = func.attr.value
        recv = func.value
        is_now = self._is_now(recv)
        ty = self.types.get(recv.value, "any") if isinstance(recv, cst.Name) else "any"
        if isinstance(recv, (cst.SimpleString, cst.ConcatenatedString)):
            ty = "str"
        pure = (
            (is_now and method in DATETIME_METHODS)
            or (not is_now and method in STR_METHODS and ty in ("str", "any"))
            or (not is_now and method in DICT_METHODS and ty in ("dict", "any"))
        )
        if pure:
            self._call(call)  # a diagnostic of its arguments first
            text = self.fe.code(call)
            # a string method's result usually replaces the string (`name.strip()` meant in place)
            store = recv.value if isinstance(recv, cst.Name) and method in STR_METHODS else "value"
            self.error(
                "PFC020",
                call,
                f"`{text}` computes a new value, which this statement discards",
                f"assign it: `{store} = {text}`",
            )
            raise _Unsupported
        message = (
            f"method .{method}() is not supported on {ty if ty in ('list', 'dict', 'str') else 'this value'}"
        )
        instead = self._instead_of_method(call, func, ty)
        if method in LIST_MUTATORS:
            message = (
                f"`{self.fe.code(func)}()` changes a value inside another in place: .{method}() is "
                "supported on a local list variable only"
            )
        hint = instead or _supported_methods(" on a local list")
        self.error("PFC024", call, message, hint)
        raise _Unsupported

    def _instead_of_method(self, call: cst.Call, func: cst.Attribute, ty: ir.Type) -> str:
        """What to write for ``recv.method(...)`` that changes ``recv`` in place (list.sort, dict.update,
        ...), as statements that rebind it or set one item (``name[key] = v``); "" when there is none."""
        recv = func.value
        r = self.fe.code(recv)
        method = func.attr.value
        if any(a.star for a in call.args):
            return ""
        if isinstance(recv, cst.Name):
            assignable = True
        else:
            assignable = (
                isinstance(recv, cst.Subscript)
                and isinstance(recv.value, cst.Name)
                and len(recv.slice) == 1
                and isinstance(recv.slice[0].slice, cst.Index)
            )
        if not assignable:
            if method in LIST_MUTATORS or method in catalog.IN_PLACE_REFUSED:
                return (
                    "only a name or name[key] can be assigned: rebuild the outer value (a dict "
                    f"comprehension, a list + list) with the new {r} in it, and assign that"
                )
            return ""
        taken = {x.value for x in _names_in(call)} | self.locals
        before: list[str] = []

        def fresh(*names: str) -> str:
            for name in (*names, *(f"{names[0]}{i}" for i in range(2, 100))):
                if name not in taken:
                    taken.add(name)
                    return name
            raise AssertionError("unreachable")

        def text(node: cst.BaseExpression) -> str:
            if isinstance(node, cst.Call) and self._is_step_like(node):
                tmp = fresh("value", "result")  # a step call is a statement of its own
                before.append(f"{tmp} = {self.fe.code(node)}")
                return tmp
            return self.fe.code(node)

        pos = [text(a.value) for a in call.args if a.keyword is None]
        kws = [(a.keyword.value, text(a.value)) for a in call.args if a.keyword is not None]
        out: list[str] = []
        if method == "sort" and not pos and {k for k, _ in kws} <= {"key", "reverse"}:
            out.append(f"{r} = sorted({', '.join([r, *(f'{k}={v}' for k, v in kws)])})")
        elif method == "reverse" and not pos and not kws:
            i = fresh("i", "j", "n")
            out.append(f"{r} = [{r}[-1 - {i}] for {i} in range(len({r}))]")
        elif method == "insert" and len(pos) == 2 and not kws:
            at, x = pos
            out.append(f"{r} = [{x}] + {r}" if at == "0" else f"{r} = {r}[:{at}] + [{x}] + {r}[{at}:]")
        elif method in LIST_MUTATORS and len(pos) == 1 and not kws:
            out.append(f"{r} = {r} + [{pos[0]}]" if method == "append" else f"{r} = {r} + {pos[0]}")
        elif method == "update" and isinstance(recv, cst.Name) and len(pos) <= 1:
            arg = call.args[0].value if pos and call.args[0].keyword is None else None
            sets: list[str] = []
            if isinstance(arg, cst.Dict) and all(isinstance(e, cst.DictElement) for e in arg.elements):
                for e in arg.elements:
                    de = cast(cst.DictElement, e)
                    sets.append(f"{r}[{self.fe.code(de.key)}] = {text(de.value)}")
            elif pos:
                k, v = fresh("k", "key"), fresh("v", "value")
                before.append(f"for {k}, {v} in {pos[0]}.items(): {r}[{k}] = {v}")
            sets += [f'{r}["{k}"] = {v}' for k, v in kws]
            if sets:
                out.append("; ".join(sets))
            elif before:
                out.append(before.pop())
        elif method == "clear" and not pos and not kws:
            if ty != "list":
                out.append(f"{r} = {{}}")
            if ty != "dict":
                out.append(f"{r} = []")
        elif method == "remove" and len(pos) == 1 and not kws:
            v = fresh("v", "item", "x")
            out.append(f"{r} = [{v} for {v} in {r} if {v} != {pos[0]}]")
        elif method == "pop" and len(pos) <= 2 and not kws:
            if ty != "list" and pos:
                k, v = fresh("k", "key"), fresh("v", "value")
                out.append(f"{r} = {{{k}: {v} for {k}, {v} in {r}.items() if {k} != {pos[0]}}}")
            if ty != "dict" and len(pos) <= 1:
                at = pos[0] if pos else "-1"
                if at in ("-1", "0"):
                    out.append(f"{r} = {r}[:-1]" if at == "-1" else f"{r} = {r}[1:]")
                else:
                    out.append(f"{r} = {r}[:{at}] + {r}[{at}:][1:]")
        elif method == "setdefault" and isinstance(recv, cst.Name) and 1 <= len(pos) <= 2 and not kws:
            default = pos[1] if len(pos) > 1 else "None"
            out.append(f"if {pos[0]} not in {r}: {r}[{pos[0]}] = {default}")
        if not out:
            return ""
        steps = "".join(f"`{b}`, then " for b in before)
        if len(out) == 1:
            return f"write {steps}`{out[0]}`{_METHOD_NOTES.get(method, '')}"
        kinds = ("a dict", "a list") if method in ("clear", "pop") and ty == "any" else ("", "")
        forms = " or ".join(
            f"`{o}` for {kind}" if kind else f"`{o}`" for o, kind in zip(out, kinds, strict=True)
        )
        return f"write {steps}{forms}{_METHOD_NOTES.get(method, '')}"

    # ------------------------------------------------------------------------- step / ctx / child calls
    def _table(self, f: cst.BaseExpression) -> _Target | None:
        """The module-level table of steps (defined here or imported) that ``TOOLS[name]`` indexes."""
        if not (
            isinstance(f, cst.Subscript)
            and isinstance(f.value, cst.Name)
            and len(f.slice) == 1
            and isinstance(f.slice[0].slice, cst.Index)
        ):
            return None
        t = self._callee(f.value)
        return t if t is not None and t.kind == "table" else None

    def _callee(self, f: cst.BaseExpression) -> _Target | None:
        """What ``name`` or ``module.attr`` refers to at module level (None: a local, the ctx, unknown).
        A name bound only conditionally (``if``, ``except``, ``if TYPE_CHECKING:``) is PFC026 here, for
        every use."""
        root = f
        while isinstance(root, cst.Attribute):
            root = root.value
        if not isinstance(root, cst.Name) or root.value in self.locals or root.value == self.ctx:
            return None
        found = self.fe.resolve(self.info, f)
        if found is not None and found.kind == "unsure" and found.module is not None:
            why, hint = found.module.unsure[found.name]
            self.error("PFC026", root, f"name {found.name!r} cannot be resolved: it is {why}", hint)
            raise _Unsupported
        return found

    def _not_a_step(self, call: cst.Call, f: cst.BaseExpression) -> NoReturn:
        """PFC022 for a call the compiler cannot compile, saying what the callee is."""
        what = self.fe.code(f)
        t = self._callee(f)
        message = f"{what}() is not a @step, a @workflow or a supported builtin"
        hint = f"decorate {what} with @step (its result is then recorded), or compute the value inline"
        if t is None:
            pass
        elif t.kind == "external" and (what in CALL_HINTS or what.split(".", 1)[0] in MODULE_HINTS):
            message = (
                f"{what}() cannot be called in a workflow: it would run again, and may differ, "
                "on every replay"
            )
            hint = CALL_HINTS.get(what) or MODULE_HINTS.get(what.split(".", 1)[0]) or hint
        elif t.kind == "external":
            message = (
                f"{what}() comes from {t.name!r}, which is not a module of this project (the standard "
                "library or an installed package): the compiler reads only the project's own source"
            )
            hint = "call it inside a @step of your project, and call that step here"
            fallback = self.info.fallbacks.get(what.split(".", 1)[0])
            if fallback is not None:
                message += (
                    f" (a module-level `try` imports it; the compiler follows the `try` body's import, not "
                    f"the `except` clause at line {fallback})"
                )
                hint = "import the project's step unconditionally, or " + hint
        elif t.kind == "function" and t.module is not None:
            message = f"{what}() is a plain function ({t.where()}), not a @step"
            hint = f"decorate it with @step in {t.module.path}, or call it inside a step"
        elif t.kind in ("class", "constant", "value", "table", "policy"):
            message = f"{what} ({t.where()}) is not a @step or a @workflow"
            hint = "call a @step here; do other work inside a step"
        elif t.kind == "module":
            message = f"{what} is a module of the project, not a step"
            hint = f"call one of its @step functions: {what}.some_step(...)"
        elif t.kind == "missing" and t.module is not None:
            message = f"{what}(): {t.module.file.name} ({t.module.path}) defines no {t.name!r}"
            hint = "check the name: a step is found by its def (or its import) in that module"
        elif t.kind == "problem":
            message = f"{what}() cannot be found: {t.name}"
            hint = "make the folder a package (add __init__.py), or import the module by its absolute name"
        elif t.kind == "broken":
            message = f"{what}() is in {t.name}, which does not parse (see PFC001 there)"
            hint = "fix that module's syntax"
        self.error("PFC022", call, message, hint)
        raise _Unsupported

    def _is_dispatch(self, f: cst.BaseExpression) -> bool:
        """``TOOLS[name](...)`` where TOOLS is a module-level dict of steps."""
        return self._table(f) is not None

    def _dispatch(
        self, call: cst.Call, f: cst.Subscript, target: ir.Target | None, loc: ir.Loc
    ) -> list[ir.Stmt]:
        """A call through a table of steps: an if/elif chain over the keys, KeyError for an unknown one."""
        table_name = cast(cst.Name, f.value).value
        where = cast(_Target, self._table(f))
        home = cast(ModuleInfo, where.module)
        table = home.step_tables[where.name]
        entries: list[tuple[str, _Fn]] = []
        others: list[str] = []
        for key, value in table.items():
            t = self.fe.resolve_name(home, value)
            if t is None or t.kind != "step" or t.fn is None:
                others.append(value)
            else:
                entries.append((key, t.fn))
        if others:
            self.error(
                "PFC022",
                f.value,
                f"{table_name} maps to {', '.join(others)}, which are not @step functions",
                "put only @step functions in a table of tools",
            )
            raise _Unsupported
        selector = self._expr(cast(cst.Index, f.slice[0].slice).value)
        if any(a.star == "*" for a in call.args):
            self.error(
                "PFC027", call, "*args cannot be passed to a step", "pass arguments by name, or **kwargs"
            )
            raise _Unsupported
        star = [a for a in call.args if a.star == "**"]
        plain = call.with_changes(args=[a for a in call.args if not a.star])
        kwargs_expr = self._expr(star[0].value) if star else None
        missing = ir.FString((ir.FormattedValue(selector, "r"),))
        chain: list[ir.Stmt] = [ir.Raise("KeyError", missing, loc)]
        for key, fn in reversed(entries):
            step_key, sd = self.fe.lower_step(fn)
            required = () if kwargs_expr is not None else sd.required
            args = self._bind(plain, sd.params, required, f"step {sd.name!r}", inject_key=True)
            stmt = ir.StepCall(step_key, args, target, loc, kwargs_expr)
            test = ir.Compare(selector, ("==",), (ir.Const(key, "str"),))
            chain = [ir.If(test, (stmt,), tuple(chain), loc)]
        if target is not None:
            self._bind_target_types(target, "any")
        return chain

    def _is_step_like(self, call: cst.Call) -> bool:
        f = call.func
        if self._is_dispatch(f):
            return True
        callee = self._callee(f)
        if callee is not None:
            return callee.kind in ("step", "workflow")
        if isinstance(f, cst.Attribute) and isinstance(f.value, cst.Name) and f.value.value == self.ctx:
            return f.attr.value in (
                "map",
                "parallel",
                "wait_for_event",
                "sleep",
                "now",
                "uuid4",
                "random",
                "idempotency_key",
            )
        return False

    def _call_statement(self, call: cst.Call, target: ir.Target | None, loc: ir.Loc) -> list[ir.Stmt] | None:
        """Lower a step / child workflow / ctx call in statement position, or return None."""
        f = call.func
        if self._is_dispatch(f):
            return self._dispatch(call, cast(cst.Subscript, f), target, loc)
        callee = self._callee(f)
        if callee is not None and callee.kind == "step" and callee.fn is not None:
            key, sd = self.fe.lower_step(callee.fn)
            args = self._bind(call, sd.params, sd.required, f"step {sd.name!r}", inject_key=True)
            if target is not None:
                self._bind_target_types(target, sd.returns)
            return [ir.StepCall(key, args, target, loc)]
        if callee is not None and callee.kind == "workflow" and callee.fn is not None:
            if self.fe.step_key(callee.fn) in self.stack:
                self.error(
                    "PFC032",
                    call,
                    f"workflow {callee.fn.function!r} calls itself (recursion cannot be inlined)",
                    "use a while loop instead of recursion",
                )
                raise _Unsupported
            wf_key, child = self.fe.lower_workflow(callee.fn, self.stack)
            if child is None:
                raise _Unsupported
            cargs = list(call.args)
            if (
                cargs
                and cargs[0].keyword is None
                and isinstance(cargs[0].value, cst.Name)
                and cargs[0].value.value == self.ctx
            ):
                cargs = cargs[1:]
            names = tuple(p.name for p in child.params)
            req = tuple(p.name for p in child.params if p.default is None)
            args = self._bind(call.with_changes(args=cargs), names, req, f"workflow {child.name!r}")
            if target is not None:
                self._bind_target_types(target, "any")
            return [ir.ChildWorkflowCall(wf_key, args, target, loc)]
        if isinstance(f, cst.Attribute) and isinstance(f.value, cst.Name) and f.value.value == self.ctx:
            return self._ctx_call(call, f.attr.value, target, loc)
        return None

    def _bind(
        self,
        call: cst.Call,
        params: tuple[str, ...],
        required: tuple[str, ...],
        what: str,
        inject_key: bool = False,
    ) -> tuple[tuple[str, ir.Expr], ...]:
        bound: dict[str, ir.Expr] = {}
        pos = 0
        for a in call.args:
            if a.star:
                self.error("PFC027", a, f"*args/**kwargs cannot be passed to {what}", "pass each argument")
                continue
            if isinstance(a.value, cst.Call) and self._is_step_like(a.value):
                self.error(
                    "PFC023",
                    a.value,
                    "a step call cannot be an argument of another call",
                    f"assign it first: `tmp = {self.fe.code(a.value)}`",
                )
                continue
            if a.keyword is None:
                if pos >= len(params):
                    self.error(
                        "PFC027", a, f"{what} takes {len(params)} argument(s)", "remove the extra argument"
                    )
                    continue
                bound[params[pos]] = self._expr(a.value)
                pos += 1
            else:
                kw = a.keyword.value
                if kw == "idempotency_key" and inject_key:
                    # the caller's key wins over the injected one (docs/semantics.md)
                    bound[kw] = self._expr(a.value)
                    continue
                if kw not in params:
                    self.error(
                        "PFC027", a, f"{what} has no parameter {kw!r}", "parameters: " + ", ".join(params)
                    )
                    continue
                if kw in bound:
                    self.error("PFC027", a, f"{kw!r} given twice", "pass it once")
                bound[kw] = self._expr(a.value)
        missing = [p for p in required if p not in bound]
        if missing:
            self.error(
                "PFC027",
                call,
                f"{what} is missing argument(s): {', '.join(missing)}",
                "pass " + ", ".join(missing),
            )
        order = (*params, "idempotency_key") if inject_key else params
        return tuple((p, bound[p]) for p in order if p in bound)

    def _ctx_call(self, call: cst.Call, op: str, target: ir.Target | None, loc: ir.Loc) -> list[ir.Stmt]:
        args = [a for a in call.args if a.keyword is None]
        kwargs = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        if op in ("now", "uuid4", "random", "idempotency_key"):
            if call.args:
                self.error("PFC030", call, f"ctx.{op}() takes no arguments", f"write ctx.{op}()")
            if target is not None:
                # uuid4(): a uuid.UUID locally, its string on cloud targets; now(): datetime / ISO string
                prim_types: dict[str, ir.Type] = {"random": "float", "idempotency_key": "str"}
                self._bind_target_types(target, prim_types.get(op, "any"))
            return [ir.Primitive(cast(Any, op), target, loc)]
        if op == "sleep":
            if len(args) != 1 or kwargs:
                self.error("PFC030", call, "ctx.sleep takes one duration", 'write ctx.sleep("5m")')
                raise _Unsupported
            node = args[0].value
            lit = self.fe._literal(node)
            seconds: ir.Expr
            constant = (
                isinstance(node, cst.Name)
                and self.fe.info is not None
                and node.value in self.fe.info.constants
            )
            if lit is _NOT_LITERAL and not self.fe._is_timedelta(node) and not constant:
                e = self._expr(node)
                if e.ty not in ("int", "float", "str", "any"):
                    self.error(
                        "PFC030",
                        node,
                        'ctx.sleep needs a duration: a number of seconds or a string such as "5m"',
                        'write ctx.sleep("5m") or ctx.sleep(seconds)',
                    )
                seconds = e
            else:
                d = self.fe._duration(node, "sleep duration")
                seconds = ir.Const(d if d is not None else 0.0, "float")
            if target is not None:
                self.error("PFC030", call, "ctx.sleep returns nothing", "call it as a statement")
            return [ir.Sleep(seconds, loc)]
        if op == "wait_for_event":
            name_node = args[0].value if args else kwargs.get("name")
            name = self.fe._literal(name_node) if name_node is not None else None
            if not isinstance(name, str):
                self.error(
                    "PFC030",
                    name_node or call,
                    "ctx.wait_for_event needs the event name as a string literal",
                    'write ctx.wait_for_event("approval", timeout="3d")',
                )
                raise _Unsupported
            tnode = args[1].value if len(args) > 1 else kwargs.get("timeout")
            timeout = None
            if tnode is not None and not (isinstance(tnode, cst.Name) and tnode.value == "None"):
                timeout = self.fe._duration(tnode, "wait_for_event timeout")
            if target is not None:
                self._bind_target_types(target, "any")
            return [ir.WaitForEvent(name, timeout, target, loc)]
        if op == "map":
            if len(args) != 2:
                self.error(
                    "PFC030",
                    call,
                    "ctx.map takes a step and a list of items",
                    "write ctx.map(fetch, urls, max_concurrency=4)",
                )
                raise _Unsupported
            fnode = args[0].value
            mapped = self._callee(fnode)
            if mapped is None or mapped.kind != "step" or mapped.fn is None:
                self.error(
                    "PFC030",
                    fnode,
                    "ctx.map's first argument must be a @step function (of this module or imported from "
                    "the project)",
                    "define the per-item work as a @step taking one argument",
                )
                raise _Unsupported
            step_key, sd = self.fe.lower_step(mapped.fn)
            if len(sd.required) > 1:
                self.error(
                    "PFC030",
                    fnode,
                    f"step {sd.name!r} must take the item as its only required argument",
                    "give the other parameters defaults",
                )
            items = self._expr(args[1].value)
            mc: int | ir.Expr | None = None
            for k, v in kwargs.items():
                if k != "max_concurrency":
                    self.error("PFC030", v, f"ctx.map has no argument {k!r}", "use max_concurrency=N")
                    continue
                lit = self.fe._literal(v)
                if lit is None:
                    continue
                if lit is _NOT_LITERAL:
                    mc = self._expr(v)
                    if mc.ty not in ("int", "any"):
                        self.error(
                            "PFC030", v, "max_concurrency must be an integer", "write max_concurrency=4"
                        )
                    continue
                if not isinstance(lit, int) or isinstance(lit, bool) or lit < 1:
                    self.error(
                        "PFC030",
                        v,
                        "max_concurrency must be an integer literal >= 1 (or None)",
                        "write max_concurrency=4",
                    )
                else:
                    mc = lit
            if target is not None:
                self._bind_target_types(target, "list")
            return [ir.MapCall(step_key, items, mc, target, loc)]
        if op == "parallel":
            branches: list[ir.Branch] = []
            for a in call.args:
                if a.keyword is not None or a.star:
                    self.error(
                        "PFC031",
                        a,
                        "ctx.parallel takes branches as positional arguments",
                        "write ctx.parallel(lambda: a(x), lambda: b(y))",
                    )
                    continue
                b = self._branch(a.value, loc)
                if b is not None:
                    branches.append(b)
            if target is not None:
                self._bind_target_types(target, "list")
            return [ir.ParallelCall(tuple(branches), target, loc)]
        self.error(
            "PFC030",
            call.func,
            f"ctx.{op} is not a Context primitive",
            "the primitives are now, uuid4, random, sleep, wait_for_event, map, parallel, "
            "idempotency_key, run_id",
        )
        raise _Unsupported

    def _branch(self, node: cst.BaseExpression, loc: ir.Loc) -> ir.Branch | None:
        if isinstance(node, cst.Lambda):
            if node.params.params:
                self.error("PFC031", node, "a parallel branch takes no arguments", "write lambda: step(x)")
                return None
            body = node.body
            callee = self._callee(body.func) if isinstance(body, cst.Call) else None
            if isinstance(body, cst.Call) and callee is not None and callee.kind == "step":
                tmp = ir.NameTarget(f"{RESERVED_PREFIX}branch")
                stmts = self._call_statement(body, tmp, loc) or []
                return ir.Branch(tuple(stmts), ir.Name(tmp.id))
            if isinstance(body, cst.Call) and self._is_step_like(body):
                self.error(
                    "PFC031",
                    body,
                    "a parallel branch may only call steps",
                    "move waits, sleeps and child workflows out of ctx.parallel",
                )
                return None
            return ir.Branch((), self._expr(body))
        if isinstance(node, cst.Name) and node.value in self.nested_defs:
            fdef = self.nested_defs[node.value]
            if fdef.params.params:
                self.error(
                    "PFC031", fdef, "a parallel branch takes no arguments", f"write def {node.value}(): ..."
                )
                return None
            body_nodes = self._body_statements(fdef.body)
            self._collect_locals(body_nodes)
            result: ir.Expr = ir.Const(None, "none")
            lowered: list[ir.Stmt] = []
            for s in body_nodes:
                if isinstance(s, cst.Return):
                    if s.value is not None:
                        if isinstance(s.value, cst.Call) and self._is_step_like(s.value):
                            tmp = ir.NameTarget(f"{RESERVED_PREFIX}branch")
                            lowered += self._call_statement(s.value, tmp, loc) or []
                            result = ir.Name(tmp.id)
                        else:
                            result = self._expr(s.value)
                    break
                try:
                    part = self._stmt(s)
                except _Unsupported:
                    continue
                for st in ir.walk_stmts(tuple(part)):
                    if not isinstance(st, (ir.Assign, ir.SetItem, ir.StepCall, ir.If, ir.For)):
                        self.error(
                            "PFC031",
                            s,
                            "a parallel branch may only call steps and compute values",
                            "move waits, sleeps, maps and child workflows out of the branch",
                        )
                        break
                lowered += part
            return ir.Branch(tuple(lowered), result)
        self.error(
            "PFC031",
            node,
            "a parallel branch must be a lambda or a nested def",
            "write ctx.parallel(lambda: a(x), lambda: b(y))",
        )
        return None

    # ------------------------------------------------------------------------------------- expressions
    def _str_of(self, e: ir.Expr) -> ir.Expr:
        if e.ty == "str":
            return e
        return ir.Call("str", (e,), (), "str")

    def _binop(
        self, op: ir.BinOpName, left: ir.Expr, right: ir.Expr, node: cst.CSTNode | None = None
    ) -> ir.BinOp:
        # in arithmetic a bool is the int 0 or 1 (True + True is 2, "ab" * True is "ab")
        lt, rt = ("int" if t == "bool" else t for t in (left.ty, right.ty))
        ty: ir.Type = "any"
        if op == "+":
            if lt == rt and lt in ("int", "float", "str", "list"):
                ty = lt
            elif {lt, rt} <= {"int", "float"}:
                ty = "float"
            elif "str" in (lt, rt) and "any" in (lt, rt):
                ty = "str"
            elif "list" in (lt, rt) and "any" in (lt, rt):
                ty = "list"
        elif op == "/":
            ty = "float"
        elif op in ("-", "//", "%"):
            if lt == rt == "int":
                ty = "int"
            elif {lt, rt} <= {"int", "float"}:
                ty = "float"
            if op == "%" and lt == "str" and node is not None:
                self.error("PFC021", node, "%-formatting is not supported", "use an f-string")
        elif op == "*":
            if lt == rt == "int":
                ty = "int"
            elif {lt, rt} <= {"int", "float"}:
                ty = "float"
            elif "str" in (lt, rt):
                ty = "str"
            elif "list" in (lt, rt):
                ty = "list"
        elif op == "**" and (lt == "float" or rt == "float"):
            ty = "float"
        return ir.BinOp(op, left, right, ty)

    def _expr(self, n: cst.BaseExpression) -> ir.Expr:
        if isinstance(n, (cst.Integer, cst.Float, cst.SimpleString, cst.ConcatenatedString)):
            if isinstance(n, cst.ConcatenatedString) and any(
                isinstance(p, cst.FormattedString) for p in (n.left, n.right)
            ):
                left = self._expr(n.left)
                right = self._expr(n.right)
                return ir.BinOp("+", self._str_of(left), self._str_of(right), "str")
            v = self.fe._literal(n)
            if v is _NOT_LITERAL or isinstance(v, bytes):
                self.error("PFC021", n, "bytes literals are not JSON values", "use a str")
                raise _Unsupported
            return ir.Const(v, _type_of_value(v))
        if isinstance(n, cst.Name):
            if n.value in ("True", "False", "None"):
                v = {"True": True, "False": False, "None": None}[n.value]
                return ir.Const(v, _type_of_value(v))
            if n.value in self.locals:
                return ir.Name(
                    n.value, self.types.get(n.value, "any") if n.value not in self.error_vars else "error"
                )
            v = self.fe.constant(self.info, n.value) if n.value != self.ctx else _NOT_LITERAL
            if v is not _NOT_LITERAL:
                return ir.Const(v, _type_of_value(v))
            if n.value == self.ctx:
                self.error(
                    "PFC021",
                    n,
                    "the Context cannot be used as a value",
                    "call its methods (ctx.now(), ctx.sleep(...)) or read ctx.run_id",
                )
                raise _Unsupported
            named = self._callee(n)
            if named is not None and named.kind in ("step", "workflow"):
                self.error("PFC021", n, f"{n.value!r} cannot be used as a value", f"call it: {n.value}(...)")
                raise _Unsupported
            if named is None and hasattr(builtins, n.value) and not n.value.startswith("_"):
                # sorted(xs, key=len), map(str, xs), isinstance(s, str): a builtin is only ever called
                how = (
                    f"write key=lambda x: {n.value}(x) for sorted/min/max, [{n.value}(x) for x in xs] for map"
                    if n.value in BUILTINS_SUPPORTED
                    else f"call it in a @step (lambda x: {n.value}(x) is not supported in a workflow)"
                )
                self.error(
                    "PFC021",
                    n,
                    f"the builtin {n.value!r} can only be called in a workflow, not used as a value",
                    how,
                )
                raise _Unsupported
            self.error(
                "PFC026",
                n,
                f"name {n.value!r} is not defined in the workflow",
                "assign it in the workflow, take it as a parameter, or make it a module-level literal "
                "constant",
            )
            raise _Unsupported
        if isinstance(n, cst.Attribute):
            if isinstance(n.value, cst.Name) and n.value.value == self.ctx and n.attr.value == "run_id":
                return ir.RunId()
            if (
                n.attr.value == "__name__"
                and isinstance(n.value, cst.Call)
                and isinstance(n.value.func, cst.Name)
                and n.value.func.value == "type"
                and len(n.value.args) == 1
                and isinstance(n.value.args[0].value, cst.Name)
                and n.value.args[0].value.value in self.error_vars
            ):
                return ir.ErrorField(n.value.args[0].value.value, "type")
            if (
                isinstance(n.value, cst.Name)
                and n.value.value in self.error_vars
                and n.attr.value in ("type", "message", "step", "attempts")
            ):
                field_types: dict[str, ir.Type] = {"attempts": "any", "step": "any"}
                fty = field_types.get(n.attr.value, "str")
                only = not self.step_failures_only.get(n.value.value, False) and (
                    n.attr.value not in self.fe.exception_attributes()
                )
                return ir.ErrorField(n.value.value, cast(Any, n.attr.value), fty, only)
            self.error(
                "PFC021",
                n,
                f"attribute access `{self.fe.code(n)}` is not supported",
                'JSON values have no attributes: index dicts with d["key"]',
            )
            raise _Unsupported
        if isinstance(n, cst.Subscript):
            if len(n.slice) != 1:
                self.error(
                    "PFC021", n, "multi-dimensional subscripts are not supported", "index one level at a time"
                )
                raise _Unsupported
            sl = n.slice[0].slice
            value = self._expr(n.value)
            if isinstance(sl, cst.Index):
                return ir.Subscript(value, self._expr(sl.value), "str" if value.ty == "str" else "any")
            if isinstance(sl, cst.Slice):
                if sl.step is not None:
                    self.error(
                        "PFC021",
                        sl.step,
                        "slices with a step are not supported",
                        "use a comprehension, e.g. [x for i, x in enumerate(xs) if i % 2 == 0]",
                    )
                    raise _Unsupported
                lower = self._expr(sl.lower) if sl.lower is not None else None
                upper = self._expr(sl.upper) if sl.upper is not None else None
                return ir.Slice(value, lower, upper, value.ty if value.ty in ("str", "list") else "any")
        if isinstance(n, cst.BinaryOperation):
            op = self._arith_operator(n.operator, _BINARY_OPS)
            left = self._expr(n.left)
            right = self._expr(n.right)
            return self._binop(cast(ir.BinOpName, op), left, right, n)
        if isinstance(n, cst.UnaryOperation):
            operand = self._expr(n.expression)
            if isinstance(n.operator, cst.Not):
                return ir.UnaryOp("not", operand, "bool")
            if isinstance(n.operator, cst.Minus):
                if isinstance(operand, ir.Const) and operand.ty in ("int", "float"):
                    return ir.Const(-operand.value, operand.ty)
                return ir.UnaryOp("-", operand, _arith_type(operand.ty))
            if isinstance(n.operator, cst.Plus):
                return ir.UnaryOp("+", operand, _arith_type(operand.ty))
            self.error("PFC021", n.operator, "bitwise ~ is not supported", "use arithmetic")
            raise _Unsupported
        if isinstance(n, cst.BooleanOperation):
            vals: list[ir.Expr] = []
            opname = "and" if isinstance(n.operator, cst.And) else "or"

            def flatten(x: cst.BaseExpression) -> None:
                if (
                    isinstance(x, cst.BooleanOperation)
                    and not x.lpar
                    and ("and" if isinstance(x.operator, cst.And) else "or") == opname
                ):
                    flatten(x.left)
                    flatten(x.right)
                else:
                    vals.append(self._expr(x))

            flatten(n.left)
            flatten(n.right)
            tys = {v.ty for v in vals}
            return ir.BoolOp(cast(Any, opname), tuple(vals), tys.pop() if len(tys) == 1 else "any")
        if isinstance(n, cst.Comparison):
            opmap: dict[type, str] = {
                cst.Equal: "==",
                cst.NotEqual: "!=",
                cst.LessThan: "<",
                cst.LessThanEqual: "<=",
                cst.GreaterThan: ">",
                cst.GreaterThanEqual: ">=",
                cst.In: "in",
                cst.NotIn: "not in",
                cst.Is: "is",
                cst.IsNot: "is not",
            }
            left = self._expr(n.left)
            cops: list[str] = []
            comps: list[ir.Expr] = []
            for c in n.comparisons:
                op = opmap.get(type(c.operator), "?")
                comp = self._expr(c.comparator)
                if op in ("is", "is not") and not (
                    (isinstance(comp, ir.Const) and comp.value is None)
                    or (isinstance(comp, ir.Const) and isinstance(comp.value, bool))
                ):
                    self.error(
                        "PFC021",
                        c,
                        "`is` is only supported with None, True or False",
                        "use == to compare values",
                    )
                cops.append(op)
                comps.append(comp)
            return ir.Compare(left, tuple(cast(Any, cops)), tuple(comps), "bool")
        if isinstance(n, cst.IfExp):
            test = self._expr(n.test)
            body = self._expr(n.body)
            orelse = self._expr(n.orelse)
            return ir.IfExp(test, body, orelse, body.ty if body.ty == orelse.ty else "any")
        if isinstance(n, cst.FormattedString):
            return self._fstring(n)
        if isinstance(n, (cst.List, cst.Tuple)):
            items = []
            for el in n.elements:
                if isinstance(el, cst.StarredElement):
                    self.error("PFC021", el, "starred items are not supported", "concatenate lists with +")
                    raise _Unsupported
                items.append(self._expr(el.value))
            return ir.ListExpr(tuple(items))
        if isinstance(n, cst.Dict):
            keys, values = [], []
            for de in n.elements:
                if not isinstance(de, cst.DictElement):
                    self.error(
                        "PFC021",
                        de,
                        "**unpacking in a dict literal is not supported",
                        "build the dict with a comprehension or d[key] = value",
                    )
                    raise _Unsupported
                k = self._expr(de.key)
                if k.ty not in ("str", "any"):
                    self.error("PFC021", de.key, "dict keys must be strings (JSON objects)", "use str keys")
                keys.append(k)
                values.append(self._expr(de.value))
            return ir.DictExpr(tuple(keys), tuple(values))
        if isinstance(n, (cst.ListComp, cst.GeneratorExp)):
            gens, scope = self._comprehension(n.for_in)
            try:
                elt = self._expr(n.elt)
            finally:
                self._pop_scope(scope)
            return ir.ListComp(elt, gens)
        if isinstance(n, cst.DictComp):
            gens, scope = self._comprehension(n.for_in)
            try:
                k = self._expr(n.key)
                v = self._expr(n.value)
            finally:
                self._pop_scope(scope)
            return ir.DictComp(k, v, gens)
        if isinstance(n, cst.Call):
            return self._call_expr(n)
        if isinstance(n, cst.Lambda):
            self.error(
                "PFC021",
                n,
                "a lambda is only supported as key= of sorted/min/max or as a ctx.parallel branch",
                "use a comprehension",
            )
            raise _Unsupported
        kinds = {
            cst.Set: "set literals",
            cst.SetComp: "set comprehensions",
            cst.NamedExpr: "`:=`",
            cst.Await: "await",
            cst.Yield: "yield",
            cst.Ellipsis: "`...`",
        }
        for typ, word in kinds.items():
            if isinstance(n, typ):
                self.error(
                    "PFC021",
                    n,
                    f"{word} are not supported in a workflow"
                    if word.endswith("s")
                    else f"{word} is not supported in a workflow",
                    "use lists, dicts and plain assignments (JSON values)",
                )
                raise _Unsupported
        self.error("PFC021", n, f"expression `{self.fe.code(n)}` is not supported", "see docs/dsl.md")
        raise _Unsupported

    def _pop_scope(self, scope: dict[str, tuple[bool, ir.Type | None]]) -> None:
        for name, (was_local, ty) in scope.items():
            if not was_local:
                self.locals.discard(name)
            if ty is None:
                self.types.pop(name, None)
            else:
                self.types[name] = ty

    def _comprehension(
        self, for_in: cst.CompFor
    ) -> tuple[tuple[ir.Comprehension, ...], dict[str, tuple[bool, ir.Type | None]]]:
        self.hoist = None  # a ctx call inside a comprehension would run once per element: refused
        gens: list[ir.Comprehension] = []
        scope: dict[str, tuple[bool, ir.Type | None]] = {}
        node: cst.CompFor | None = for_in
        while node is not None:
            if node.asynchronous is not None:
                self.error("PFC021", node, "async comprehensions are not supported", "use a plain one")
            it = self._expr(node.iter)
            target = self._target(node.target)

            def bind(t: ir.Target, ty: ir.Type) -> None:
                if isinstance(t, ir.NameTarget):
                    if t.id not in scope:
                        scope[t.id] = (t.id in self.locals, self.types.get(t.id))
                    self.locals.add(t.id)
                    self.types[t.id] = ty
                else:
                    for e in t.elts:
                        bind(e, "any")

            bind(target, _elem_type(it))
            ifs = tuple(self._expr(c.test) for c in node.ifs)
            gens.append(ir.Comprehension(target, it, ifs))
            node = node.inner_for_in
        return tuple(gens), scope

    def _fstring(self, n: cst.FormattedString) -> ir.FString:
        prefix = n.start[:-1].lower().replace("f", "")
        quote = n.start[-1]
        parts: list[ir.Const | ir.FormattedValue] = []
        for p in n.parts:
            if isinstance(p, cst.FormattedStringText):
                raw = p.value.replace("{{", "{").replace("}}", "}")
                q = quote * 3 if n.end == quote * 3 else quote
                try:
                    text = ast.literal_eval(prefix + q + raw + q)
                except (ValueError, SyntaxError):
                    text = raw
                parts.append(ir.Const(text, "str"))
            else:
                p = cast(cst.FormattedStringExpression, p)
                spec = ""
                if p.format_spec:
                    texts = [x for x in p.format_spec if isinstance(x, cst.FormattedStringText)]
                    spec = "".join(x.value for x in texts)
                    if len(texts) != len(p.format_spec) or not re.fullmatch(r",?(\.\d+f)?|,?d", spec):
                        self.error(
                            "PFC021",
                            p,
                            f"format spec {spec!r} is not supported",
                            "use .2f, ,.2f, d or , (or format with round()/str())",
                        )
                        spec = ""
                if p.equal is not None:
                    self.error("PFC021", p, "f-string `=` is not supported", "write the label yourself")
                conv = p.conversion or ""
                if conv not in ("", "s", "r"):
                    self.error("PFC021", p, f"conversion !{conv} is not supported", "use !r or !s")
                    conv = ""
                parts.append(ir.FormattedValue(self._expr(p.expression), cast(Any, conv), spec))
        return ir.FString(tuple(parts))

    def _arguments(
        self, n: cst.Call, key: str, args: list[_A], kwargs: list[tuple[str, _A]]
    ) -> tuple[list[_A], list[tuple[str, _A]]]:
        """The arguments of a call of the builtin or method ``key``, checked against its SIGNATURES entry
        (the one place arities are checked: PFC021 for a builtin, PFC024 for a method), with keyword
        spellings of positional parameters (``sum(xs, start=1)``) made positional."""
        sig = SIGNATURES[key]
        method = "." in key and not key.startswith("json.")
        code = "PFC024" if method else "PFC021"
        shown = self.fe.code(n.func) if method else key

        def refuse(message: str, instead: str = "") -> NoReturn:
            self.error(code, n, message, f"write {sig.usage}" + (f"; {instead}" if instead else ""))
            raise _BadArguments

        positional = list(args)
        named: dict[int, tuple[str, _A]] = {}
        keywords: list[tuple[str, _A]] = []
        for k, v in kwargs:
            if k in sig.keywords:
                keywords.append((k, v))
            elif k and k in sig.by_name:
                i = sig.by_name.index(k)
                if i < len(args) or i in named:
                    refuse(f"{shown}() got {k}= and a positional argument for it: Python raises TypeError")
                named[i] = (k, v)
            elif sig.any_keyword or k in sig.python_keywords:
                refuse(f"{shown}() does not take {k}= here: {sig.why}", sig.instead)
            else:
                refuse(f"{shown}() has no keyword argument {k}=: Python raises TypeError")
        for i in sorted(named):
            k, v = named[i]
            if i != len(positional):
                refuse(f"{shown}() got {k}= without the argument before it: Python raises TypeError")
            positional.append(v)
        given = len(positional)
        if given < sig.least:
            refuse(f"{shown}() takes {sig.count()} ({given} given): Python raises TypeError")
        if sig.most is not None and given > sig.most:
            if given <= sig.most + sig.python_extra:
                refuse(f"{shown}() with {_n_arguments(given)} is not supported: {sig.why}", sig.instead)
            refuse(f"{shown}() takes {sig.count()} ({given} given): Python raises TypeError")
        return positional, keywords

    def _call_expr(self, n: cst.Call) -> ir.Expr:
        try:
            return self._call(n)
        except _BadArguments:
            return ir.Const(None, "any")  # reported: a placeholder, to lower (and check) the rest

    def _call(self, n: cst.Call) -> ir.Expr:
        f = n.func
        if (
            self.hoist is not None
            and isinstance(f, cst.Attribute)
            and isinstance(f.value, cst.Name)
            and f.value.value == self.ctx
            and f.attr.value in ("now", "uuid4", "random", "idempotency_key")
            and not n.args
        ):
            self._hoisted += 1
            tmp = ir.NameTarget(f"{RESERVED_PREFIX}h{self._hoisted}")
            prim = self._ctx_call(n, f.attr.value, tmp, self.fe.pos(n))
            self.hoist.extend(prim)
            self.locals.add(tmp.id)
            return ir.Name(tmp.id, self.assigned_types.get(tmp.id, "any"))
        if self._is_step_like(n):
            self.error(
                "PFC023",
                n,
                "a step, workflow or ctx call must be a statement of its own",
                f"assign it to a variable first: `result = {self.fe.code(n)}`",
            )
            raise _Unsupported
        kwargs: list[tuple[str, ir.Expr]] = []
        args: list[ir.Expr] = []
        for a in n.args:
            if a.star:
                self.error("PFC021", a, "*args in calls are not supported", "pass each argument")
                raise _Unsupported
            if a.keyword is not None:
                if a.keyword.value == "key" and isinstance(a.value, cst.Lambda):
                    lam = a.value
                    params = tuple(p.name.value for p in lam.params.params)
                    saved = {p: (p in self.locals, self.types.get(p)) for p in params}
                    for p in params:
                        self.locals.add(p)
                        self.types[p] = "any"
                    try:
                        body = self._expr(lam.body)
                    finally:
                        self._pop_scope(saved)
                    kwargs.append(("key", ir.Lambda(params, body)))
                else:
                    kwargs.append((a.keyword.value, self._expr(a.value)))
            elif isinstance(a.value, cst.GeneratorExp):
                args.append(self._expr(a.value))
            else:
                args.append(self._expr(a.value))
        if isinstance(f, cst.Name):
            name = f.value
            if name == "str" and len(args) == 1 and isinstance(args[0], ir.Name) and args[0].ty == "error":
                return ir.ErrorField(args[0].id, "message")
            if name in BUILTINS_SUPPORTED:
                if name == "zip" and len(args) != 2:
                    self.error(
                        "PFC021",
                        n,
                        f"zip() of {_plural(len(args), 'sequence')} is not supported: it zips two here",
                        "zip two at a time, e.g. [(a, b, c) for (a, b), c in zip(zip(xs, ys), zs)]",
                    )
                    raise _Unsupported
                args, kwargs = self._arguments(n, name, args, kwargs)
                if name in ("min", "max") and len(args) > 1 and any(k == "default" for k, _ in kwargs):
                    self.error(
                        "PFC021",
                        n,
                        f"{name}() cannot take default= with several arguments: Python raises TypeError",
                        f"write {name}([a, b], default=v), or leave default= out",
                    )
                    raise _Unsupported
                if (
                    name == "round"
                    and len(args) == 2
                    and isinstance(args[1], ir.Const)
                    and args[1].value is None
                ):
                    args = args[:1]  # round(x, None) is round(x), an int
                return ir.Call(name, tuple(args), tuple(kwargs), catalog.CATALOG[name].result_type(args))
            if name in catalog.BUILTINS_REFUSED:
                self.error(
                    "PFC022",
                    n,
                    f"builtin {name}() is not supported in a workflow",
                    "see docs/dsl.md for the supported builtins; do other work in a @step",
                )
                raise _Unsupported
            self._not_a_step(n, f)
        if (
            isinstance(f, cst.Attribute)
            and isinstance(f.value, cst.Name)
            and f.value.value == "json"
            and "json" in self.info.imports
            and f"json.{f.attr.value}" in catalog.CATALOG
        ):
            key = f"json.{f.attr.value}"
            args, kwargs = self._arguments(n, key, args, kwargs)
            return ir.Call(key, tuple(args), (), catalog.CATALOG[key].result_type(args))
        root = self.fe._dotted(f).split(".", 1)[0] if isinstance(f, cst.Attribute) else ""
        callee = self._callee(f) if isinstance(f, cst.Attribute) else None
        if (
            root
            and root not in self.locals
            and root not in self.info.constants
            and root != self.ctx
            and (callee is None or callee.kind == "external")
            and (root in MODULE_HINTS or self.fe._dotted(f) in CALL_HINTS)
        ):
            dotted = self.fe._dotted(f)
            self.error(
                "PFC022",
                n,
                f"{dotted}() cannot be called in a workflow: it would run again, and may differ, on every "
                "replay",
                CALL_HINTS.get(dotted)
                or MODULE_HINTS.get(root)
                or "call it in a @step (its result is recorded)",
            )
            raise _Unsupported
        if callee is not None:
            self._not_a_step(n, f)  # module.function(...)
        if isinstance(f, cst.Attribute):
            method = f.attr.value
            recv = self._expr(f.value)
            if method in LIST_MUTATORS:
                self.error(
                    "PFC023",
                    n,
                    f".{method}() returns None and must be a statement",
                    f"write `{self.fe.code(f.value)}.{method}(...)` on its own line",
                )
                raise _Unsupported
            if self._is_now(f.value):
                if method not in DATETIME_METHODS:
                    self.error(
                        "PFC024",
                        n,
                        f"method .{method}() of ctx.now() is not supported",
                        "supported on ctx.now() (or a variable only ever assigned ctx.now()): .timestamp() "
                        "(seconds since the epoch, a float) and .isoformat(), without arguments",
                    )
                    raise _Unsupported
                self._arguments(n, f"datetime.{method}", args, kwargs)
                return ir.Call(f"datetime.{method}", (recv,), (), DATETIME_METHODS[method])
            if method in STR_METHODS and recv.ty in ("str", "any"):
                args, kwargs = self._arguments(n, f"str.{method}", args, kwargs)
                if method in ("startswith", "endswith") and args[0].ty == "list":
                    self.error(
                        "PFC024",
                        n,
                        f"{self.fe.code(f)}() of a tuple of "
                        f"{'prefixes' if method == 'startswith' else 'suffixes'} is not supported",
                        f"test each: s.{method}(a) or s.{method}(b)",
                    )
                    raise _Unsupported
                ty = catalog.CATALOG[f"str.{method}"].result_type(args)
                return ir.Call(f"str.{method}", (recv, *args), (), ty)
            if method in DICT_METHODS and recv.ty in ("dict", "any"):
                args, kwargs = self._arguments(n, f"dict.{method}", args, kwargs)
                ty = catalog.CATALOG[f"dict.{method}"].result_type(args)
                return ir.Call(f"dict.{method}", (recv, *args), (), ty)
            self.error(
                "PFC024",
                f,
                f"method .{method}() is not supported on {recv.ty if recv.ty != 'any' else 'this value'}",
                _supported_methods(""),
            )
            raise _Unsupported
        self.error("PFC022", n, f"`{self.fe.code(f)}` cannot be called in a workflow", "call a @step")
        raise _Unsupported


def _supported_methods(where_lists: str) -> str:
    """The hint naming every method a workflow may call (the catalogue's)."""
    return (
        f"supported: dict.{'/'.join(DICT_METHODS)}, list.{'/'.join(sorted(LIST_MUTATORS))}{where_lists}, "
        f"str.{'/'.join(sorted(STR_METHODS))}"
    )


# where _instead_of_method's suggestion for a method of catalog.IN_PLACE_REFUSED differs from the method
# beyond changing in place
_METHOD_NOTES = {
    "remove": " (this drops every equal item; .remove() drops the first, and raises ValueError if none)",
    "pop": " (unlike .pop(), this does not raise when the item is missing)",
}

# What to write instead of a call into a module that a workflow may not make (PFC022).
_NOW = "use ctx.now() (recorded: the same time on every replay)"
CALL_HINTS = {
    "time.time": _NOW,
    "time.time_ns": _NOW,
    "time.monotonic": _NOW,
    "time.perf_counter": _NOW,
    "datetime.now": _NOW,
    "datetime.utcnow": _NOW,
    "datetime.today": _NOW,
    "datetime.datetime.now": _NOW,
    "datetime.datetime.utcnow": _NOW,
    "datetime.datetime.today": _NOW,
    "datetime.date.today": _NOW,
    "date.today": _NOW,
    "time.sleep": 'use ctx.sleep(seconds) or ctx.sleep("5m") (a durable timer)',
    "asyncio.sleep": 'use ctx.sleep(seconds) or ctx.sleep("5m") (a durable timer)',
    "uuid.uuid4": "use ctx.uuid4() (recorded)",
    "uuid.uuid1": "use ctx.uuid4() (recorded)",
}
MODULE_HINTS = {
    "time": "use ctx.now() for the time and ctx.sleep(...) to wait",
    "datetime": _NOW + "; do other date arithmetic in a @step",
    "random": "use ctx.random() (recorded), or draw in a @step",
    "secrets": "draw the value in a @step (its result is recorded)",
    "uuid": "use ctx.uuid4() (recorded)",
    "os": "read the environment or files in a @step (its result is recorded)",
    "sys": "do it in a @step",
    "subprocess": "run it in a @step",
    "requests": "make the request in a @step (retried, and its result recorded)",
    "httpx": "make the request in a @step (retried, and its result recorded)",
    "urllib": "make the request in a @step (retried, and its result recorded)",
    "logging": "log in a @step, or return what you want to see from the workflow",
    "asyncio": "workflows are synchronous: use ctx.sleep, ctx.map and ctx.parallel",
}


_MAX_QUALIFY_DEPTH = 12  # re-exports followed for a decorator's name (a cycle stops there)


def _binds(info: ModuleInfo, name: str) -> bool:
    """Whether the module's top level read so far binds ``name`` (for sure or not)."""
    return name in info.unsure or _bound_in(info, name)


def _bound_in(info: ModuleInfo, name: str) -> bool:
    """Whether the module's top level read so far binds ``name`` for sure."""
    tables: tuple[Mapping[str, Any], ...] = (
        info.steps,
        info.workflows,
        info.step_tables,
        info.policies,
        info.constants,
        info.exception_bases,
        info.functions,
        info.bindings,
        info.values,
    )
    return name not in info.unsure and any(name in t for t in tables)


def _statements(block: cst.BaseSuite | None) -> Sequence[cst.BaseStatement | cst.BaseSmallStatement]:
    """The statements of an indented block or of a one-line suite (``if X: import y``)."""
    if isinstance(block, (cst.IndentedBlock, cst.SimpleStatementSuite)):
        return block.body
    return ()


def _bound_names(stmts: Sequence[cst.CSTNode]) -> list[str]:
    """The module-level names ``stmts`` bind (imports, assignments, defs, classes; into ``if``/``try``)."""
    out: list[str] = []

    def targets(t: cst.BaseExpression) -> None:
        if isinstance(t, cst.Name):
            out.append(t.value)
        elif isinstance(t, (cst.Tuple, cst.List)):
            for e in t.elements:
                targets(e.value)

    for stmt in stmts:
        if isinstance(stmt, cst.SimpleStatementLine):
            out.extend(_bound_names(stmt.body))
        elif isinstance(stmt, cst.Import):
            for alias in stmt.names:
                if alias.asname is not None:
                    targets(cast(cst.BaseExpression, alias.asname.name))
                else:
                    out.append(cst.Module([]).code_for_node(alias.name).split(".", 1)[0])
        elif isinstance(stmt, cst.ImportFrom) and not isinstance(stmt.names, cst.ImportStar):
            for alias in stmt.names:
                name = alias.asname.name if alias.asname is not None else alias.name
                out.append(cst.Module([]).code_for_node(name).rsplit(".", 1)[-1])
        elif isinstance(stmt, cst.Assign):
            for t in stmt.targets:
                targets(t.target)
        elif isinstance(stmt, (cst.AnnAssign, cst.AugAssign)):
            targets(stmt.target)
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            out.append(stmt.name.value)
        elif isinstance(stmt, cst.If):
            out.extend(_bound_names(_statements(stmt.body)))
            if stmt.orelse is not None:
                out.extend(
                    _bound_names(
                        [stmt.orelse] if isinstance(stmt.orelse, cst.If) else _statements(stmt.orelse.body)
                    )
                )
        elif isinstance(stmt, (cst.Try, cst.TryStar)):
            out.extend(_bound_names(_statements(stmt.body)))
            for h in stmt.handlers:
                out.extend(_bound_names(_statements(h.body)))
            for extra in (stmt.orelse, stmt.finalbody):
                if extra is not None:
                    out.extend(_bound_names(_statements(extra.body)))
    return out


def _type_of_value(v: Any) -> ir.Type:
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


def _elem_type(it: ir.Expr) -> ir.Type:
    """The type of the items a ``for`` over ``it`` binds: a call's catalogue row may know (range)."""
    row = catalog.lookup(it.func) if isinstance(it, ir.Call) else None
    if row is not None and row.items != "any":
        return row.items
    if it.ty == "str":
        return "str"
    return "any"


_arith_type = catalog.arith_type


# ---------------------------------------------------------------------------------------------- public API


@dataclass
class CompileResult:
    program: ir.Program | None
    diagnostics: list[Diagnostic]
    source: str
    sources: dict[str, str] = field(default_factory=dict)  # every module read, by its path in diagnostics

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


def compile_source(source: str, path: str = "<string>", workflow: str | None = None) -> CompileResult:
    """Lower ``workflow`` (a function name or its ``name=``) to a Program. ``None`` picks the module's only
    @workflow; a module with several needs the name (PFC002 lists them), as ``portaflow run`` does.

    ``path`` locates the module: steps and workflows it imports are read from the project's files around it
    (see :mod:`portaflow.source.finder`)."""
    fe = Frontend(path, source)
    info = fe.parse()

    def result(program: ir.Program | None) -> CompileResult:
        return CompileResult(program, fe.all_diagnostics(), source, dict(fe.sources))

    if info is None:
        return result(None)
    if not info.workflows:
        hint = "decorate the entry function with @workflow"
        foreign = [
            f"{name}'s {why}"
            for name, why in info.foreign.items()
            if why.split(" ", 1)[0].endswith("workflow")
        ]
        if foreign:
            hint = f"{'; '.join(foreign)}: import workflow from portaflow"
        fe.diags.append(Diagnostic("PFC002", "the module defines no @workflow function", path, 1, 1, hint))
        return result(None)
    for fn in info.workflows.values():
        fe._positional_options(fn)
        fe._option_name(fn)
    key = None
    if workflow is None:
        if len(info.workflows) > 1:
            fe.diags.append(_which_workflow(fe, info, path))
            return result(None)
        key = next(iter(info.workflows))
    else:
        for k, fn in info.workflows.items():
            if workflow in (k, fe._option_name(fn)):
                key = k
        if key is None:
            fe.diags.append(_no_such_workflow(fe, info, path, workflow))
            return result(None)
    for fn in info.steps.values():  # check every step's options, used or not
        fe.lower_step(fn)
    _, entry = fe.lower_workflow(info.workflows[key])
    if entry is None:
        return result(None)
    used = {
        st.step
        for wf in fe._workflows_ir.values()
        for st in ir.walk_stmts(wf.body)
        if isinstance(st, (ir.StepCall, ir.MapCall))
    }
    steps = {k: v for k, v in fe._steps_ir.items() if k in used}
    prog = ir.Program(
        source=path, module=info.file.name, entry=key, workflows=dict(fe._workflows_ir), steps=steps
    )
    return result(prog)


def _which_workflow(fe: Frontend, info: ModuleInfo, path: str) -> Diagnostic:
    """PFC002 for a module with several workflows and no name: list them, and suggest the one no other
    workflow of the module calls (the likely entry point) when there is exactly one such."""
    names = sorted(info.workflows)
    called: set[str] = set()
    for key, fn in info.workflows.items():
        used = {n.value for n in _names_in(fn.node.body)}
        called.update(k for k in info.workflows if k != key and k in used)
    roots = [n for n in names if n not in called]
    if len(roots) == 1:
        children = sorted(called)
        run = "runs as a child workflow" if len(children) == 1 else "run as child workflows"
        hint = (
            f"write {path}:{roots[0]} on the command line, or compile_file(path, workflow={roots[0]!r}); "
            f"{', '.join(children)} {run} here"
        )
    else:
        hint = f"write {path}:NAME on the command line, or compile_file(path, workflow=NAME)"
    first = next(iter(info.workflows.values()))
    return Diagnostic(
        "PFC002",
        f"name the workflow as {path}:NAME (workflows here: {', '.join(names)})",
        path,
        fe.pos(first.node.name).line,
        1,
        hint,
    )


def _no_such_workflow(fe: Frontend, info: ModuleInfo, path: str, workflow: str) -> Diagnostic:
    """PFC002 for ``FILE:NAME`` naming no workflow: saying what NAME is when it is a step or another
    function of the module (at its def), else where the module's workflows are."""
    here = "workflows here: " + ", ".join(info.workflows)
    for k, fn in info.steps.items():
        if workflow in (k, fe._option_name(fn)):
            loc = fe.pos(fn.node.name)
            return Diagnostic(
                "PFC002",
                f"{workflow!r} is a @step, not a @workflow: a step runs inside a workflow",
                path,
                loc.line,
                loc.col,
                f"compile the workflow that calls it; {here}",
            )
    if workflow in info.functions:
        return Diagnostic(
            "PFC002",
            f"{workflow!r} is a plain function, not a @workflow",
            path,
            info.functions[workflow],
            1,
            f"decorate it with @workflow, or name a workflow; {here}",
        )
    return Diagnostic("PFC002", f"no @workflow named {workflow!r} in {path}", path, 1, 1, here)


def _names_in(node: cst.CSTNode) -> list[cst.Name]:
    """Every ``Name`` below ``node``."""

    class V(cst.CSTVisitor):
        def __init__(self) -> None:
            self.found: list[cst.Name] = []

        def visit_Name(self, n: cst.Name) -> None:
            self.found.append(n)

    v = V()
    node.visit(v)
    return v.found


def compile_file(path: str | Path, workflow: str | None = None) -> CompileResult:
    """Compile the file at ``path``, decoded as Python would (its PEP 263 coding cookie, else UTF-8).
    OSError when it cannot be read, UnicodeDecodeError when it cannot be decoded."""
    data = Path(path).read_bytes()
    try:
        source = decode_source(data)
    except ParseFailure as e:
        if e.decode_error is not None:
            raise e.decode_error from None
        raise UnicodeDecodeError("utf-8", data, 0, len(data), e.message) from None
    return compile_source(source, str(path), workflow)


def _display_path(path: Path, entry_display: str) -> str:
    """How diagnostics name an imported module's file: relative to the working directory when the
    workflow's path was given relative, else absolute."""
    if Path(entry_display).is_absolute():
        return str(path)
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
