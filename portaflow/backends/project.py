"""A generated project in memory, and the one way it is written: never over a file portaflow did not write.

Every backend's ``compile`` returns a :class:`Project` (relative path -> bytes). ``write`` records what it
wrote, with each file's hash, in ``.portaflow-manifest.json`` in the output folder. Writing again replaces a
file only if the manifest lists it and it still has the content portaflow wrote; a file the user created or
edited there is a conflict, reported before anything is written (``force=True`` replaces it anyway). Files a
previous compile wrote that the new project no longer has are removed, unless the user edited them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portaflow.compiler.diagnostics import Diagnostic

PACKAGE = Path(__file__).resolve().parents[1]  # portaflow/
MANIFEST = ".portaflow-manifest.json"
MANIFEST_VERSION = 1


class ProjectConflict(Exception):
    """The output folder holds files portaflow did not write (or that were edited since): nothing written."""

    def __init__(self, out: Path, paths: list[str]) -> None:
        self.out = out
        self.paths = paths
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        super().__init__(
            f"{out}: would replace {shown}, which portaflow did not write (or which changed since it did); "
            "nothing was written: choose an empty --out folder, or pass --force to replace them"
        )


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Project:
    """What a backend generated: files by relative POSIX path, and what to tell the user about them."""

    target: str
    files: dict[str, bytes] = field(default_factory=dict)
    main_files: tuple[str, ...] = ()  # named in the "wrote ..." line
    diagnostics: list[Diagnostic] = field(default_factory=list)  # warnings the project was built with

    def add(self, path: str, content: str | bytes) -> None:
        rel = PurePosixPath(path)
        if rel.is_absolute() or ".." in rel.parts or str(rel) in ("", ".") or str(rel) == MANIFEST:
            raise ValueError(f"not a path inside the project: {path!r}")
        self.files[str(rel)] = content.encode("utf-8") if isinstance(content, str) else content

    def add_tree(self, folder: Path, under: str, skip: Iterable[Path] = ()) -> None:
        """Every file below ``folder``, but ``__pycache__``, ``.pyc`` files, folders in ``skip`` and generated
        projects (a folder with a manifest: an earlier compile's output inside the user's package)."""
        skipped = [s.resolve() for s in skip]

        def keep(d: Path) -> bool:
            return d.name != "__pycache__" and d.resolve() not in skipped and not (d / MANIFEST).exists()

        for dirpath, dirnames, filenames in os.walk(folder):
            here = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if keep(here / d))
            for name in sorted(filenames):
                if name.endswith((".pyc", ".pyo")):
                    continue
                rel = (here / name).relative_to(folder).as_posix()
                self.add(f"{under}/{rel}", (here / name).read_bytes())

    def write(self, out: Path, *, force: bool = False) -> list[str]:
        """Write into ``out`` (created if missing); returns the paths written. Raises ProjectConflict
        before writing anything if a file would be replaced that portaflow did not write."""
        previous = read_manifest(out)
        conflicts = []
        for rel, data in sorted(self.files.items()):
            dest = out / rel
            if dest.is_dir() and not dest.is_symlink():
                conflicts.append(rel + "/")
            elif dest.exists() or dest.is_symlink():
                on_disk = dest.read_bytes() if dest.is_file() else b""
                if on_disk != data and previous.get(rel) != _digest(on_disk):
                    conflicts.append(rel)
            else:
                blocker = next((p for p in PurePosixPath(rel).parents if (out / p).is_file()), None)
                if blocker is not None and str(blocker) != ".":
                    conflicts.append(str(blocker))
        if conflicts and not force:
            raise ProjectConflict(out, sorted(set(conflicts)))
        out.mkdir(parents=True, exist_ok=True)
        for rel, data in sorted(self.files.items()):
            dest = out / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.is_symlink():
                dest.unlink()
            if not dest.exists() or dest.read_bytes() != data:
                tmp = dest.with_name(dest.name + ".portaflow-tmp")
                tmp.write_bytes(data)
                os.replace(tmp, dest)
        for rel, digest in previous.items():  # stale files of an earlier compile, if left as written
            if rel in self.files:
                continue
            dest = out / rel
            if dest.is_file() and _digest(dest.read_bytes()) == digest:
                dest.unlink()
                _prune_empty(dest.parent, out)
        manifest = {
            "portaflow_manifest": MANIFEST_VERSION,
            "target": self.target,
            "files": {rel: _digest(data) for rel, data in sorted(self.files.items())},
        }
        (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        return sorted(self.files)


def read_manifest(out: Path) -> dict[str, str]:
    """What an earlier ``write`` recorded in ``out``: relative path -> hash ({} if nothing, or unreadable)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {str(k): str(v) for k, v in files.items()}


def _prune_empty(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def project_modules(source_path: Path) -> list[Path]:
    """The files and package folders to put in the Lambda package so that the workflow's module, and every
    project module it imports (transitively, imports inside functions included), import there as they do
    from the workflow's folder: for each top-level name, its module file or its whole package folder."""
    from portaflow.source.finder import ModuleFinder  # libcst: only when a project is built

    finder = ModuleFinder(source_path)
    found: dict[str, Path] = {}
    for mf, _ in finder.closure():
        if mf.top in found:
            continue
        top = finder.find(mf.top, mf.root)
        if top is not None:
            found[mf.top] = top.folder if top.is_package else top.path
    return list(found.values())


def add_dsl(project: Project, under: str) -> None:
    """The part of portaflow a user's module imports at run time: the package root and ``portaflow.dsl``
    (both import nothing else of portaflow, and nothing outside the standard library)."""
    project.add(f"{under}/__init__.py", (PACKAGE / "__init__.py").read_bytes())
    project.add_tree(PACKAGE / "dsl", f"{under}/dsl")
