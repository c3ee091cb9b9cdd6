"""Compile targets, found through the entry-point group ``portaflow.backends`` and imported only when used.

A distribution registers a backend with one entry point (name -> a :class:`~portaflow.backends.base.Backend`
subclass or instance)::

    [project.entry-points."portaflow.backends"]
    aws = "portaflow.backends.aws.backend:AwsBackend"

``names()`` reads only the installed metadata (no backend is imported); ``get(name)`` imports one. The CLI's
``compile --target`` and the conformance suite's columns come from here, so a new target is one folder and
one entry point, with no edit to the compiler, the CLI or the tests (docs/architecture.md).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from .base import Backend

GROUP = "portaflow.backends"


class UnknownTarget(LookupError):
    def __init__(self, name: str) -> None:
        self.name = name
        known = ", ".join(names()) or "none installed"
        super().__init__(f"no compile target named {name!r} (installed: {known})")


@functools.cache
def _entry_points() -> dict[str, EntryPoint]:
    from importlib.metadata import entry_points

    found: dict[str, EntryPoint] = {}
    for ep in entry_points(group=GROUP):
        found.setdefault(ep.name, ep)  # the first distribution on sys.path wins, as for imports
    return found


def names() -> list[str]:
    """Every registered target's name, sorted; nothing is imported."""
    return sorted(_entry_points())


@functools.cache
def get(name: str) -> Backend:
    """The backend registered as ``name``, imported now. Raises UnknownTarget."""
    from .base import Backend

    ep = _entry_points().get(name)
    if ep is None:
        raise UnknownTarget(name)
    obj = ep.load()
    backend = obj() if isinstance(obj, type) else obj
    if not isinstance(backend, Backend):
        raise TypeError(f"entry point {name} = {ep.value} is not a portaflow Backend")
    return backend
