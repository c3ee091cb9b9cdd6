"""The class a failure event's type names, as the compiler sees classes (so every target agrees).

``portaflow signal RUN EVENT --error Rejected:why`` names a class by its bare name. The compiled targets
match ``except`` clauses by class names, knowing the built-in exceptions and the classes of the workflow's
module and of every project module it imports, transitively (``compiler.frontend.modules.exception_tree``);
the local engine looks the name up among the same classes: the project's first (the workflow's module, then
the modules it imports, in the compiler's order), then the built-ins. A name found nowhere is a plain
``EventFailed``. Reading the project's imports parses its source, so this runs only when a failure event is
delivered, once per workflow.
"""

from __future__ import annotations

import builtins
import functools
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from portaflow.dsl.decorators import Workflow

_Classes = dict[str, type[BaseException]]


def resolve(wf: Workflow[..., Any], type_name: str) -> type[BaseException] | None:
    """The exception class ``type_name`` means to ``wf``'s compiled form, or None."""
    found = _project_classes(wf.fn.__module__).get(type_name)
    if found is not None:
        return found
    builtin = getattr(builtins, type_name, None)
    if isinstance(builtin, type) and issubclass(builtin, BaseException):
        return builtin
    return None


@functools.cache
def _project_classes(entry_name: str) -> _Classes:
    """Exception classes defined at the top level of the workflow's module and the project modules it
    imports, by name; the first module defining a name wins."""
    entry = sys.modules.get(entry_name)
    file = getattr(entry, "__file__", None)
    if entry is None or file is None:
        return {}
    from portaflow.source.finder import ModuleFinder

    classes: _Classes = {}
    finder = ModuleFinder(Path(file))
    loaded = _loaded_by_file()  # by file: a module may be imported under another name than the finder's
    for mf, _ in finder.closure():
        module = entry if mf is finder.entry else loaded.get(mf.path.resolve())
        if module is not None:
            for name, cls in _defined(module).items():
                classes.setdefault(name, cls)
    return classes


def _loaded_by_file() -> dict[Path, ModuleType]:
    out: dict[Path, ModuleType] = {}
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str):
            out.setdefault(Path(file).resolve(), module)
    return out


def _defined(module: ModuleType) -> _Classes:
    """The exception classes ``module`` itself defines (not those it imports)."""
    return {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, type)
        and issubclass(value, BaseException)
        and value.__module__ == module.__name__
        and value.__qualname__ == name
    }
