"""The linted project: its parsed modules by path and by dotted name, loaded once each, some on demand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from portaflow.lint.engine.index import FunctionInfo, ModuleInfo, scan_module
from portaflow.source.finder import find_module, module_name
from portaflow.source.parse import ParseFailure, parse_module, read_source


@dataclass(frozen=True, slots=True)
class FileError:
    path: Path
    display_path: str
    failure: ParseFailure


class Project:
    def __init__(
        self,
        *,
        display: Callable[[Path], str],
        is_excluded: Callable[[Path], bool],
        extra_roots: list[Path] | None = None,
    ) -> None:
        self._display = display
        self._is_excluded = is_excluded
        self.by_path: dict[Path, ModuleInfo] = {}
        self.by_name: dict[str, list[ModuleInfo]] = {}
        self.errors: list[FileError] = []
        self._failed: set[Path] = set()
        self._roots: list[Path] = []
        for root in extra_roots or []:
            self._add_root(root)
        self._missing: set[tuple[str, Path | None]] = set()
        self.lines_parsed = 0

    def _add_root(self, root: Path) -> None:
        root = root.resolve()
        if root not in self._roots:
            self._roots.append(root)

    # -- loading ---------------------------------------------------------------------------------------------
    def load(self, path: Path, *, reported: bool = True, alias: str | None = None) -> ModuleInfo | None:
        path = path.resolve()
        existing = self.by_path.get(path)
        if existing is not None:
            if reported:
                existing.reported = True
            if alias is not None:
                self._register(alias, existing)
            return existing
        if path in self._failed:
            return None
        display = self._display(path)
        try:
            text = read_source(path)
            module = parse_module(text)
        except ParseFailure as failure:
            self._failed.add(path)
            if reported:
                self.errors.append(FileError(path, display, failure))
            return None
        self.lines_parsed += text.count("\n")
        name, is_package, root = module_name(path)
        info = ModuleInfo(path, display, name, is_package, root, text, module, reported=reported)
        scan_module(info)
        self.by_path[path] = info
        self._register(name, info)
        if alias is not None and alias != name:
            self._register(alias, info)
        self._add_root(root)
        return info

    def _register(self, name: str, info: ModuleInfo) -> None:
        entries = self.by_name.setdefault(name, [])
        if info not in entries:
            entries.append(info)

    def find_module(self, name: str, near: ModuleInfo | None) -> ModuleInfo | None:
        """The project module called ``name`` as seen from ``near``; loads it from disk on first use."""
        if not name:
            return None
        entries = self.by_name.get(name)
        if entries:
            if len(entries) == 1 or near is None:
                return entries[0]
            for entry in entries:
                if entry.root == near.root:
                    return entry
            return entries[0]
        key = (name, near.root if near is not None else None)
        if key in self._missing:
            return None
        roots = list(self._roots)
        if near is not None:
            roots.insert(0, near.root)
        found = find_module(name, roots)
        if found is not None and not found.namespace and not self._is_excluded(found.path):
            loaded = self.load(found.path, reported=False, alias=name)
            if loaded is not None:
                self.classify(loaded)
            return loaded
        self._missing.add(key)
        return None

    # -- workflows and steps -----------------------------------------------------------------------------
    def classify(self, info: ModuleInfo) -> None:
        """Mark each function of ``info`` as a workflow, a step or a plain function from its decorators."""
        from portaflow.lint.engine.resolve import Resolver

        resolver = Resolver(self)
        for func in info.all_functions:
            func.kind = resolver.function_kind(func)

    def workflows(self) -> list[FunctionInfo]:
        found = [
            func for info in self.by_path.values() for func in info.all_functions if func.kind == "workflow"
        ]
        found.sort(key=lambda f: (f.module.display_path, f.qualname))
        return found
