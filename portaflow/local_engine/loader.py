"""Finding workflow code: ``FILE:WORKFLOW`` on the command line, and a run's stored reference later.

A run remembers where its workflow came from (module, qualified name, file) so any worker process can
load the same code to resume it. The user's module is imported like a script (its folder on
``sys.path``), under its file name, so its exception classes resolve by the same module name everywhere; a
file inside a package (a folder with ``__init__.py``) is imported by its dotted name, as ``python -m`` would,
so that its relative imports (``from .tools import lookup``) work.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import os
import sys
import sysconfig
from pathlib import Path
from typing import Any

from portaflow.dsl.decorators import Workflow
from portaflow.dsl.errors import PortaflowError
from portaflow.source.finder import entry_module
from portaflow.source.refs import parse_ref


def workflow_ref(wf: Workflow[..., Any]) -> dict[str, Any]:
    try:
        source = inspect.getsourcefile(wf.fn)
    except TypeError:
        source = None
    return {
        "module": wf.fn.__module__,
        "qualname": wf.fn.__qualname__,
        "file": str(Path(source).resolve()) if source else None,
    }


def ref_key(ref: dict[str, Any]) -> str:
    """Identity of a workflow: its file (two files may share a module name) or module, and qualname."""
    return f"{ref.get('file') or ref['module']}:{ref['module']}:{ref['qualname']}"


def _same_file(module: Any, path: Path) -> bool:
    mod_file = getattr(module, "__file__", None)
    return isinstance(mod_file, str) and Path(mod_file).resolve() == path


def _run_import(path: Path, load: Any) -> Any:
    try:
        return load()
    except SyntaxError as exc:
        raise PortaflowError(
            f"{exc.filename}:{exc.lineno}:{exc.offset or 0}: syntax error: {exc.msg}"
        ) from None
    except SystemExit as exc:
        raise PortaflowError(f"{path}: importing it called sys.exit({exc.code!r})") from None
    except Exception as exc:
        import traceback

        # the line of the file that raised (a decorator's bad argument, say), when the file is on the stack
        lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path]
        where = f"{path}:{lines[-1]}" if lines else str(path)
        raise PortaflowError(f"{where}: importing it raised {type(exc).__name__}: {exc}") from exc


def _module_from_file(path: Path, module_name: str | None = None) -> Any:
    """Import the file as Python would: as ``pkg.mod`` inside packages, else as a script's module.

    The folder above the top package (or the file's folder) goes on ``sys.path`` so the file's own
    absolute and relative imports work; the current folder is also searched last, like ``python -m``.
    """
    path = path.resolve()
    for mod in list(sys.modules.values()):
        if _same_file(mod, path):
            return mod
    cwd = str(Path.cwd())
    if cwd not in sys.path:
        sys.path.append(cwd)
    dotted, root, _ = entry_module(path)  # the one place that knows how Python names a file
    if "." in dotted and all(p.isidentifier() for p in dotted.split(".")):
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
        existing = sys.modules.get(dotted)
        if existing is None or _same_file(existing, path):
            module = _run_import(path, lambda: importlib.import_module(dotted))
            if _same_file(module, path):
                return module
    name = module_name or path.stem
    if not name.isidentifier() or (name in sys.modules and not _same_file(sys.modules[name], path)):
        name = f"portaflow_user_{abs(hash(str(path))):x}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PortaflowError(f"{path}: cannot load this file as a Python module")
    module = importlib.util.module_from_spec(spec)
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    sys.modules[name] = module
    try:
        _run_import(path, lambda: spec.loader.exec_module(module))
    except PortaflowError:
        del sys.modules[name]
        raise
    return module


def import_file(file: str | Path) -> Any:
    """The module of a Python file, imported as `portaflow run` imports a workflow's file (its folder or
    package root on ``sys.path``); the step host finds a workflow's ``@step`` objects through it."""
    return _module_from_file(Path(file).resolve())


def _workflows_in(module: Any) -> dict[str, Workflow[..., Any]]:
    return {name: obj for name, obj in vars(module).items() if isinstance(obj, Workflow)}


def load_workflows(file: str) -> list[Workflow[..., Any]]:
    """The workflows a file defines (not those it only imports), for `portaflow worker FILE` and
    `portaflow schedules FILE`."""
    path = Path(file).resolve()
    if not path.is_file():
        raise PortaflowError(f"{file}: no such file; name the Python files that define the workflows")
    module = _module_from_file(path)
    return [w for w in _workflows_in(module).values() if w.fn.__module__ == module.__name__]


def load_target(target: str) -> Workflow[..., Any]:
    """Resolve ``path/to/file.py:workflow_name`` (the name may be omitted if the file has one workflow)."""
    ref = parse_ref(target)
    file_part, name, path = ref.file, ref.workflow, ref.path
    if not path.is_file():
        raise PortaflowError(
            f"{file_part}: no such file; write FILE.py:WORKFLOW, "
            "e.g. examples/research_agent.py:research_agent"
        )
    module = _module_from_file(path)
    found = _workflows_in(module)
    if not found:
        raise PortaflowError(f"{file_part}: no @workflow function in this file")
    if not name:
        # the workflows the file defines: one it imports (a child workflow, say) is no candidate, as for
        # `portaflow compile`; a file that only imports workflows offers those
        own = {k: w for k, w in found.items() if w.fn.__module__ == module.__name__} or found
        if len(own) == 1:
            return next(iter(own.values()))
        listing = ", ".join(sorted(own))
        raise PortaflowError(
            f"{file_part}: name the workflow as {file_part}:NAME (workflows here: {listing})"
        )
    wf = found.get(name)
    if wf is None:
        by_name = {w.name: w for w in found.values()}
        if name in by_name:
            return by_name[name]
        listing = ", ".join(sorted(found)) or "none"
        raise PortaflowError(f"{file_part}: no @workflow named {name!r} (workflows here: {listing})")
    return wf


def resolve_ref(ref: dict[str, Any]) -> Workflow[..., Any]:
    """Load the workflow a run was started with, in this process."""
    module = sys.modules.get(ref["module"])
    file = Path(ref["file"]).resolve() if ref.get("file") else None
    if module is not None and file is not None and not _same_file(module, file):
        module = None  # another file that happens to have the same module name
    if module is None and file is not None and file.is_file():
        module = _module_from_file(file, ref["module"] if ref["module"] != "__main__" else None)
    if module is None:
        try:
            module = importlib.import_module(ref["module"])
        except ImportError:
            raise PortaflowError(
                f"cannot find the code of workflow {ref['qualname']!r} (module {ref['module']!r}, file "
                f"{ref.get('file')}); run the worker where that file exists"
            ) from None
    obj: Any = module
    for part in ref["qualname"].split("."):
        obj = getattr(obj, part, None)
    if not isinstance(obj, Workflow):
        raise PortaflowError(
            f"{ref.get('file') or ref['module']}: no @workflow {ref['qualname']!r} any more; "
            "restore it to resume its runs, or cancel them"
        )
    return obj


def _not_user_code() -> list[Path]:
    """Folders whose modules are never the user's own: the interpreter's, installed packages, portaflow."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(Path(__file__).resolve().parents[1])}
    installed = ("stdlib", "platstdlib", "purelib", "platlib")
    paths.update(v for k, v in sysconfig.get_paths().items() if k in installed)
    return [Path(p).resolve() for p in paths if p]


def user_files(ref: dict[str, Any]) -> list[Path]:
    """The source files of the run's workflow module and of the user's modules loaded beside it (under
    the folder its imports start from), so that a change to any of them can be noticed; [] when the run
    has no file (a workflow registered from a module that cannot be found on disk)."""
    if not ref.get("file"):
        return []
    path = Path(ref["file"]).resolve()
    root = entry_module(path)[1]
    skip = [p for p in _not_user_code() if p != root and not root.is_relative_to(p)]
    files = {path}
    for module in list(sys.modules.values()):
        mod_file = getattr(module, "__file__", None)
        if not isinstance(mod_file, str) or not mod_file.endswith(".py"):
            continue
        f = Path(mod_file).resolve()
        if f.is_relative_to(root) and not any(f.is_relative_to(p) for p in skip):
            files.add(f)
    return sorted(files)


def source_stamp(files: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """What changes when one of ``files`` is edited, created or removed: (path, mtime_ns, size) each."""
    out = []
    for f in files:
        try:
            st = f.stat()
            out.append((str(f), st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((str(f), -1, -1))
    return tuple(out)


def forget(files: list[Path]) -> None:
    """Drop the modules loaded from ``files``: the next run that needs them imports them afresh."""
    wanted = {str(f) for f in files}
    for name, module in list(sys.modules.items()):
        mod_file = getattr(module, "__file__", None)
        if isinstance(mod_file, str) and os.path.realpath(mod_file) in wanted:
            del sys.modules[name]
    importlib.invalidate_caches()


def bind_input(wf: Workflow[..., Any], data: Any) -> dict[str, Any]:
    """Check a run's input object against the workflow's parameters (after the Context)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise PortaflowError(
            f"the input of workflow {wf.name!r} must be a JSON object of its parameters "
            f"({_describe_params(wf)}), not {json.dumps(data)[:60]}"
        )
    params = wf.input_params
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in params)
    named = {p.name: p for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    unknown = [k for k in data if k not in named]
    if unknown and not accepts_any:
        raise PortaflowError(
            f"the input of workflow {wf.name!r} has unknown key(s) {', '.join(map(repr, unknown))}; "
            f"its parameters are: {_describe_params(wf)}"
        )
    missing = [n for n, p in named.items() if p.default is p.empty and n not in data]
    if missing:
        raise PortaflowError(
            f"the input of workflow {wf.name!r} is missing {', '.join(map(repr, missing))}; "
            f"its parameters are: {_describe_params(wf)}"
        )
    try:
        return dict(json.loads(json.dumps(data, allow_nan=False)))
    except (TypeError, ValueError) as exc:
        raise PortaflowError(f"the input of workflow {wf.name!r} must be JSON: {exc}") from None


def _describe_params(wf: Workflow[..., Any]) -> str:
    parts = []
    for p in wf.input_params:
        if p.kind is p.VAR_KEYWORD:
            parts.append(f"**{p.name}")
        elif p.kind is p.VAR_POSITIONAL:
            continue
        elif p.default is p.empty:
            parts.append(p.name)
        else:
            parts.append(f"{p.name}={json.dumps(p.default, default=str)}")
    return ", ".join(parts) or "none"
