"""Find the project modules a workflow imports, the way Python would, without importing anything.

Python looks ``import x`` up on ``sys.path``. For a workflow file that is its folder (``python flow.py``) or,
when the file sits in packages (folders with ``__init__.py``), the folder above an enclosing package
(``python -m shop.flow``). The same folders are searched here, nearest first (the *roots*): the file's
folder, then the folder above each enclosing package. A name found there is a module of the project: its
source is read. A name found nowhere in the roots (the standard library, an installed package) is not part
of the project, and neither is ``portaflow`` itself.

A module is known by the dotted name it is imported under. The workflow's own module is ``flow`` for a file
outside packages, ``shop.flow`` for ``shop/flow.py`` with ``shop/__init__.py`` (so that ``from .steps import
x`` works, as with ``python -m``). Relative imports resolve against that name, within the root the importing
module was found in. Regular packages, modules and namespace packages (folders without ``__init__.py``) are
found in Python's order: a regular package or module in any root beats a namespace package.

Used by the compiler, lint and the local engine's loader; libcst is imported only to read imports out of
parsed source (:meth:`ModuleFinder.closure`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst

#: top-level names that are never read from the project's source (the DSL is a dependency).
NOT_PROJECT = frozenset({"portaflow"})


@dataclass(frozen=True)
class ModuleFile:
    """A module of the project: ``path`` is its source file (``x.py``, ``x/__init__.py``), or the folder of
    a namespace package (``namespace``)."""

    name: str
    path: Path
    root: Path
    is_package: bool = False
    namespace: bool = False

    @property
    def top(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def folder(self) -> Path:
        """The folder holding a package's modules (for a plain module: its file's folder)."""
        return self.path if self.namespace else self.path.parent


class ImportProblem(Exception):
    """A relative import Python itself would refuse (the message says why)."""


def _packages_above(folder: Path) -> tuple[list[str], Path, list[Path]]:
    """(names of the packages enclosing ``folder``, innermost first; the folder above the outermost; every
    folder from ``folder`` up to that one)."""
    parts: list[str] = []
    roots = [folder]
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        parts.append(folder.name)
        folder = folder.parent
        roots.append(folder)
    return parts, folder, roots


def entry_module(path: Path) -> tuple[str, Path, list[Path]]:
    """(dotted name, root, search roots) of the workflow file ``path`` (which need not exist): the name
    ``python -m`` would import it under."""
    path = Path(path).resolve()
    parts, root, roots = _packages_above(path.parent)
    return ".".join(reversed([path.stem, *parts])), root, roots


def module_name(path: Path) -> tuple[str, bool, Path]:
    """(dotted name, is_package, root) of any module file; ``pkg/__init__.py`` is the package ``pkg``."""
    path = path.resolve()
    is_package = path.name == "__init__.py"
    parts, root, _ = _packages_above(path.parent)
    if not is_package:
        parts.insert(0, path.stem)
    if not parts:  # a bare __init__.py with no package around it
        parts = [path.parent.name]
    return ".".join(reversed(parts)), is_package, root


def absolute_name(
    importer: str, is_package: bool, module: str | None, level: int, *, where: str = "", lenient: bool = False
) -> str:
    """The absolute name ``from <level dots><module> import ...`` means in the module ``importer``.

    ImportProblem when Python would refuse it (``where``, the importer's file name, is for the message);
    ``lenient`` resolves such an import as best it can instead (lint keeps following the code)."""
    if level == 0:
        return module or ""
    parts = importer.split(".") if is_package else importer.split(".")[:-1]
    drop = level - 1
    if not parts or drop >= len(parts):
        if lenient:
            kept = parts[: len(parts) - drop] if drop < len(parts) else []
            return ".".join([*kept, *([module] if module else [])])
        if not parts:
            raise ImportProblem(
                f"{where or importer} is not inside a package (no __init__.py in its folder), so it "
                "cannot use a relative import"
            )
        raise ImportProblem(f"the relative import goes above the top-level package {parts[0]!r}")
    base = ".".join(parts[: len(parts) - drop])
    return f"{base}.{module}" if module else base


def find_module(name: str, roots: Sequence[Path]) -> ModuleFile | None:
    """The project module ``name`` (absolute) in the first of ``roots`` that has it, as Python's path finder
    looks it up; None when it is not a module of the project."""
    parts = name.split(".")
    top = parts[0]
    if not all(p.isidentifier() for p in parts) or top in NOT_PROJECT or top in sys.builtin_module_names:
        return None
    found: ModuleFile | None = None
    for r in roots:
        found = _locate(r, top, top, r, namespaces=False)
        if found is not None:
            break
    if found is None and top not in sys.stdlib_module_names:
        for r in roots:
            found = _locate(r, top, top, r, namespaces=True)
            if found is not None:
                break
    for part in parts[1:]:
        if found is None:
            return None
        found = submodule(found, part)
    return found


def submodule(package: ModuleFile, name: str) -> ModuleFile | None:
    """The module ``package.name``, when ``package`` is a package that has it."""
    if not package.is_package or not name.isidentifier():
        return None
    dotted = f"{package.name}.{name}"
    return _locate(package.folder, name, dotted, package.root, namespaces=False) or _locate(
        package.folder, name, dotted, package.root, namespaces=True
    )


class ModuleFinder:
    """Resolves import statements of the project's modules to source files, from one workflow file."""

    def __init__(self, entry_path: Path) -> None:
        name, root, roots = entry_module(entry_path)
        self.roots = roots
        self.entry = ModuleFile(name, Path(entry_path).resolve(), root)

    # --------------------------------------------------------------------------------------- lookups
    def find(self, name: str, root: Path | None = None) -> ModuleFile | None:
        """The project module ``name`` (absolute), searched in ``root`` or in every root; None when it is not
        a module of the project."""
        return find_module(name, [root] if root is not None else self.roots)

    def submodule(self, package: ModuleFile, name: str) -> ModuleFile | None:
        return submodule(package, name)

    def absolute(self, importer: ModuleFile, module: str | None, level: int) -> str:
        """The absolute name ``from <dots><module> import ...`` means inside ``importer``."""
        return absolute_name(importer.name, importer.is_package, module, level, where=importer.path.name)

    def resolve_import(self, importer: ModuleFile, module: str | None, level: int) -> ModuleFile | None:
        """The project module an import statement names (relative ones within the importer's root)."""
        name = self.absolute(importer, module, level)
        return self.find(name, importer.root if level else None)

    # -------------------------------------------------------------------------------------- closure
    def imported_by(self, importer: ModuleFile, module: cst.Module) -> list[ModuleFile]:
        """Every project module that running ``module`` may import: each import statement, anywhere in the
        module (inside functions too), with the packages on the way."""
        import libcst as cst

        found: dict[str, ModuleFile] = {}

        def add(name: str, root: Path | None) -> ModuleFile | None:
            parts = name.split(".")
            last: ModuleFile | None = None
            for i in range(1, len(parts) + 1):
                mf = self.find(".".join(parts[:i]), root)
                if mf is None:
                    return None
                found.setdefault(mf.name, mf)
                last = mf
            return last

        for node in _imports(module):
            if isinstance(node, cst.Import):
                for alias in node.names:
                    add(_dotted(alias.name), None)
                continue
            level = len(node.relative)
            try:
                base = self.absolute(importer, _dotted(node.module) if node.module else None, level)
            except ImportProblem:
                continue
            root = importer.root if level else None
            package = add(base, root) if base else None
            if package is not None and not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    sub = self.submodule(package, _dotted(alias.name))
                    if sub is not None:
                        found.setdefault(sub.name, sub)
        return list(found.values())

    def closure(self, entry: cst.Module | None = None) -> Iterator[tuple[ModuleFile, cst.Module | None]]:
        """The workflow's module (``entry`` if already parsed, else read from its file) and every project
        module it imports, transitively, each with its parsed source (None for a namespace package or a
        file that does not parse)."""
        seen: set[str] = set()
        queue: list[ModuleFile] = [self.entry]
        while queue:
            mf = queue.pop(0)
            if mf.name in seen:
                continue
            seen.add(mf.name)
            module = entry if mf is self.entry and entry is not None else _parse(mf)
            yield mf, module
            if module is not None:
                queue.extend(m for m in self.imported_by(mf, module) if m.name not in seen)


def _locate(folder: Path, part: str, name: str, root: Path, namespaces: bool) -> ModuleFile | None:
    candidate = folder / part
    if namespaces:
        if candidate.is_dir() and not (candidate / "__init__.py").is_file():
            return ModuleFile(name, candidate, root, is_package=True, namespace=True)
        return None
    if (candidate / "__init__.py").is_file():
        return ModuleFile(name, candidate / "__init__.py", root, is_package=True)
    if candidate.with_name(part + ".py").is_file():
        return ModuleFile(name, candidate.with_name(part + ".py"), root)
    return None


def _parse(mf: ModuleFile) -> cst.Module | None:
    from portaflow.source.parse import ParseFailure, parse_module, read_source

    if mf.namespace:
        return None
    try:
        return parse_module(read_source(mf.path))
    except ParseFailure:
        return None


def _imports(module: cst.Module) -> list[cst.Import | cst.ImportFrom]:
    import libcst as cst

    out: list[cst.Import | cst.ImportFrom] = []

    class Visitor(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> None:
            out.append(node)

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            out.append(node)

    module.visit(Visitor())
    return out


def _dotted(node: cst.BaseExpression) -> str:
    from portaflow.source.names import dotted_name

    return dotted_name(node) or ""
