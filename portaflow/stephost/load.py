"""The ``@step`` objects of a workflow, by the keys its compiled program gives them (``program.steps``)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any


class LoadError(Exception):
    """The workflow file cannot be served (one line, for the command line)."""


def load_steps(source: Path, workflow: str | None = None, *, fresh: bool = True) -> dict[str, Any]:
    """Compile ``source`` (``workflow`` of it) and import each step it calls. ``fresh``: the project's modules
    are imported anew (module-level state, such as counters, starts empty), as a new host process would."""
    from portaflow.compiler.frontend import compile_file
    from portaflow.source.finder import entry_module

    source = Path(source)
    if not source.is_file():
        raise LoadError(f"{source}: no such file; give the workflow's Python file, as FILE or FILE:WORKFLOW")
    try:
        res = compile_file(source, workflow)
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"{source}: cannot be read: {exc}") from None
    if res.program is None:
        first = next((d for d in res.diagnostics if d.severity == "error"), None)
        raise LoadError(first.render() if first is not None else f"{source}: no workflow to serve")
    _, root, _ = entry_module(source)
    root = root.resolve()
    if fresh:
        for name, mod in list(sys.modules.items()):
            file = getattr(mod, "__file__", None)
            if file and Path(file).resolve().is_relative_to(root) and not name.startswith("portaflow"):
                del sys.modules[name]
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    steps: dict[str, Any] = {}
    for key, sd in res.program.steps.items():
        try:
            module = importlib.import_module(sd.module)
        except Exception as exc:  # the user's module fails to import: say so in one line
            raise LoadError(f"{sd.source or source}: importing {sd.module} failed: {type(exc).__name__}: {exc}") from None
        steps[key] = getattr(module, sd.function)
    return steps
