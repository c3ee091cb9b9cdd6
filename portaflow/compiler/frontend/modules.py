"""Reading a project's modules from source, never importing them: each module's top level indexed (steps,
workflows, constants, imports, retry policies, tables of steps), names resolved through imports, literals
and durations read, and the exception classes' tree. :class:`.program.Frontend` lowers on top of it."""

from __future__ import annotations

import ast
import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from portaflow.dsl.durations import parse_duration
from portaflow.source.finder import ImportProblem, ModuleFile, ModuleFinder
from portaflow.source.names import DSL_DECORATORS, DslKind, decorator_callee, decorator_kind, dotted_name
from portaflow.source.parse import ParseFailure, parse_module, read_source

from .. import ir
from ..diagnostics import Diagnostic
from .common import BUILTIN_EXCEPTIONS, NOT_LITERAL


@dataclass
class DslFunction:
    node: cst.FunctionDef
    kind: str  # "step" | "workflow"
    module: ModuleInfo
    options: dict[str, cst.BaseExpression] = field(default_factory=dict)
    positional: list[cst.Arg] = field(default_factory=list)  # decorator arguments without a keyword

    @property
    def function(self) -> str:
        return self.node.name.value


@dataclass(frozen=True)
class ImportBinding:
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
    steps: dict[str, DslFunction] = field(default_factory=dict)
    workflows: dict[str, DslFunction] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    exception_bases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    dsl_names: dict[str, str] = field(default_factory=dict)
    step_tables: dict[str, dict[str, str]] = field(default_factory=dict)  # NAME = {"key": step_fn, ...}
    imports: set[str] = field(default_factory=set)  # modules imported at top level (`import json`)
    policies: dict[str, cst.Call] = field(default_factory=dict)  # NAME = RetryPolicy(...) at module level
    bindings: dict[str, ImportBinding] = field(default_factory=dict)  # names bound by top-level imports
    star_imports: list[ImportBinding] = field(default_factory=list)  # from m import *
    functions: dict[str, int] = field(default_factory=dict)  # other top-level defs -> line
    values: dict[str, int] = field(default_factory=dict)  # other top-level assignments -> line
    aliases: dict[str, str] = field(default_factory=dict)  # NAME = some.dotted.name, as written
    # def -> its `@step`/`@workflow` that is not portaflow's (`from celery import step`), for diagnostics
    foreign: dict[str, str] = field(default_factory=dict)
    # names bound only under a condition the compiler cannot decide (`if X:`, an `except` clause) or only
    # for type checkers (`if TYPE_CHECKING:`) -> (why, what to write), as a diagnostic says them
    unsure: dict[str, tuple[str, str]] = field(default_factory=dict)
    fallbacks: dict[str, int] = field(default_factory=dict)  # name -> line of its `except` rebinding
    key_reads: set[int] | None = None  # ids of the Names where only a mapping's keys are read (tables.py)


@dataclass(frozen=True)
class Resolved:
    """What a module-level name (or ``module.attr`` chain) refers to, found by reading source only.

    ``kind``: ``step``/``workflow`` (``fn``), ``table``/``policy``/``constant``/``class``/``function``/
    ``value`` (``name`` defined in ``module``), ``module`` (a project module), ``external`` (``name`` is a
    module outside the project), ``missing`` (``name`` not defined in ``module``), ``broken`` (the module does
    not parse), ``problem`` (an import Python would refuse; ``name`` says why)."""

    kind: str
    module: ModuleInfo | None = None
    name: str = ""
    fn: DslFunction | None = None

    def where(self) -> str:
        if self.module is None:
            return ""
        line = self.module.functions.get(self.name) or self.module.values.get(self.name)
        where = f"{self.module.path}:{line}" if line else self.module.path
        foreign = self.module.foreign.get(self.name)
        return f"{where}, whose {foreign}" if foreign else where


class ModuleReader:
    """The project's modules as the frontend reads them, and the diagnostics found so far."""

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
        self._resolved: dict[tuple[int, str], Resolved | None] = {}
        self._kept: list[Diagnostic] = []  # diagnostics of cached work (steps, child workflows, modules)
        self._exception_tree: dict[str, tuple[str, ...]] | None = None
        self._exception_attributes: set[str] | None = None
        # statements the frontend writes in place of the user's (conditional.py) -> the node whose
        # position they stand at
        self.stand_ins: dict[int, cst.CSTNode] = {}

    def pos(self, node: cst.CSTNode) -> ir.Loc:
        assert self.info is not None
        node = self.stand_ins.get(id(node), node)
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
            module = self.dotted(stmt.module) if stmt.module is not None else None
            text = info.module.code_for_node(stmt)
            if isinstance(stmt.names, cst.ImportStar):
                info.star_imports.append(ImportBinding(module, level, None, text))
                return
            for alias in stmt.names:
                orig = self.dotted(alias.name)
                asname = alias.asname
                local = cast(cst.Name, asname.name).value if asname is not None else orig
                if orig in ("RetryPolicy", "timedelta"):
                    dsl_names[local] = orig
                info.bindings[local] = ImportBinding(module, level, orig, text)
        elif isinstance(stmt, cst.Import):
            text = info.module.code_for_node(stmt)
            for alias in stmt.names:
                dotted = self.dotted(alias.name)
                info.imports.add(dotted)
                if alias.asname is not None:
                    info.bindings[cast(cst.Name, alias.asname.name).value] = ImportBinding(
                        dotted, 0, None, text
                    )
                else:
                    top = dotted.split(".", 1)[0]
                    info.bindings[top] = ImportBinding(top, 0, None, text)
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
                lit = self.literal(value)
                if lit is not NOT_LITERAL:
                    info.constants[t.value] = lit
                elif (
                    isinstance(value, cst.Call)
                    and dsl_names.get(self.dotted(value.func).rsplit(".", 1)[-1]) == "RetryPolicy"
                ):
                    info.policies[t.value] = value
                elif isinstance(value, cst.Dict):
                    table = self._name_table(value)
                    if table is not None:
                        info.step_tables[t.value] = table
        elif isinstance(stmt, cst.ClassDef):
            bases = tuple(self.dotted(a.value).rsplit(".", 1)[-1] for a in stmt.bases)
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
                    fn = DslFunction(stmt, kind, info)
                    if isinstance(d, cst.Call):
                        for arg in d.args:
                            if arg.keyword is None:
                                fn.positional.append(arg)
                            else:
                                fn.options[arg.keyword.value] = arg.value
                    (info.steps if kind == "step" else info.workflows)[stmt.name.value] = fn

    def resolve(self, info: ModuleInfo, node: cst.BaseExpression) -> Resolved | None:
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

    def resolve_name(self, info: ModuleInfo, name: str) -> Resolved | None:
        """What the module-level ``name`` of ``info`` is: defined there, or imported (followed)."""
        key = (id(info), name)
        if key in self._resolved:
            return self._resolved[key]
        self._resolved[key] = None  # an import cycle resolves to nothing
        found = self._resolve_name(info, name)
        self._resolved[key] = found
        return found

    def _resolve_name(self, info: ModuleInfo, name: str) -> Resolved | None:
        if name in info.unsure:
            return Resolved("unsure", info, name)
        if name in info.steps:
            return Resolved("step", info, name, info.steps[name])
        if name in info.workflows:
            return Resolved("workflow", info, name, info.workflows[name])
        for kind, table in (
            ("table", info.step_tables),
            ("policy", info.policies),
            ("constant", info.constants),
            ("class", info.exception_bases),
            ("function", info.functions),
        ):
            if name in table:
                return Resolved(kind, info, name)
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
            return Resolved("value", info, name)
        return None

    def _resolve_import(self, info: ModuleInfo, imp: ImportBinding) -> Resolved:
        try:
            mf = self.finder.resolve_import(info.file, imp.module, imp.level)
        except ImportProblem as e:
            return Resolved("problem", info, f"`{imp.statement}`: {e}")
        if mf is None:
            return Resolved("external", None, self.finder.absolute(info.file, imp.module, imp.level))
        mod = self.module(mf)
        if mod is None:
            return Resolved("broken", None, mf.name)
        if imp.attr is None:
            return Resolved("module", mod, mf.name)
        return self._member(mod, imp.attr)

    def _member(self, mod: ModuleInfo, attr: str) -> Resolved:
        """``mod.attr``: a name the module defines or imports, else its submodule."""
        found = self.resolve_name(mod, attr)
        if found is not None:
            return found
        sub = self.finder.submodule(mod.file, attr)
        if sub is not None:
            sub_info = self.module(sub)
            return Resolved("module", sub_info, sub.name) if sub_info else Resolved("broken", None, sub.name)
        return Resolved("missing", mod, attr)

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

    def step_key(self, fn: DslFunction) -> str:
        """The step's (or workflow's) key in the Program: its function name in the workflow's module,
        ``module.function`` when it is defined in another module of the project."""
        return fn.function if fn.module is self.entry else f"{fn.module.file.name}.{fn.function}"

    def constant(self, info: ModuleInfo, name: str) -> Any:
        """A module-level literal constant's value (defined in ``info`` or imported), else NOT_LITERAL."""
        if name in info.constants:
            return info.constants[name]
        t = self.resolve_name(info, name)
        if t is not None and t.kind == "constant" and t.module is not None:
            return t.module.constants[t.name]
        return NOT_LITERAL

    def _name_table(self, node: cst.Dict) -> dict[str, str] | None:
        """``{"key": some_name, ...}`` as key -> name (a candidate table of steps), else None."""
        table: dict[str, str] = {}
        for de in node.elements:
            if not isinstance(de, cst.DictElement) or not isinstance(de.value, cst.Name):
                return None
            k = self.literal(de.key)
            if not isinstance(k, str):
                return None
            table[k] = de.value.value
        return table or None

    def dotted(self, node: cst.BaseExpression | cst.CSTNode) -> str:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute):
            return self.dotted(node.value) + "." + node.attr.value
        if isinstance(node, cst.Call):
            return self.dotted(node.func)
        return "?"

    def option_name(self, fn: DslFunction) -> str | None:
        node = fn.options.get("name")
        if node is None:
            return None
        lit = self.literal(node)
        if not isinstance(lit, str):
            self.error("PFC010", node, "name= must be a string literal", 'write name="my_step"')
            return None
        return lit

    def literal(self, node: cst.BaseExpression) -> Any:
        """The Python value of a JSON-like literal expression, or NOT_LITERAL."""
        try:
            if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)):
                return ast.literal_eval(self.code(node).strip())
            if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
                v = self.literal(node.expression)
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    return -v
                return NOT_LITERAL
            if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[node.value]
            if isinstance(node, (cst.List, cst.Tuple)):
                out = []
                for el in node.elements:
                    if isinstance(el, cst.StarredElement):
                        return NOT_LITERAL
                    v = self.literal(el.value)
                    if v is NOT_LITERAL:
                        return NOT_LITERAL
                    out.append(v)
                return out
            if isinstance(node, cst.Dict):
                d: dict[str, Any] = {}
                for de in node.elements:
                    if not isinstance(de, cst.DictElement):
                        return NOT_LITERAL
                    k = self.literal(de.key)
                    v = self.literal(de.value)
                    if not isinstance(k, str) or v is NOT_LITERAL:
                        return NOT_LITERAL
                    d[k] = v
                return d
        except (ValueError, SyntaxError):
            return NOT_LITERAL
        return NOT_LITERAL

    def is_timedelta(self, node: cst.BaseExpression) -> bool:
        """``timedelta(...)`` (imported from datetime), a duration wherever durations are taken."""
        assert self.info is not None
        return (
            isinstance(node, cst.Call)
            and self.info.dsl_names.get(self.dotted(node.func).rsplit(".", 1)[-1]) == "timedelta"
        )

    def duration(self, node: cst.BaseExpression, what: str) -> float | None:
        assert self.info is not None
        lit = self.literal(node)
        if isinstance(node, cst.Name) and lit is NOT_LITERAL:
            lit = self.constant(self.info, node.value)  # a module-level constant (or an imported one)
        if isinstance(lit, bool) or lit is NOT_LITERAL or lit is None:
            if isinstance(node, cst.Call) and self.is_timedelta(node):
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
                    v = self.literal(arg.value)
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
                        bases = tuple(self.dotted(a.value).rsplit(".", 1)[-1] for a in stmt.bases)
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


def _display_path(path: Path, entry_display: str) -> str:
    """How diagnostics name an imported module's file: relative to the working directory when the
    workflow's path was given relative, else absolute."""
    if Path(entry_display).is_absolute():
        return str(path)
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)
