"""Moved to :mod:`portaflow.source.finder` (shared with lint and the local engine's loader); these names stay
importable from here for the backends."""

from portaflow.source.finder import NOT_PROJECT, ImportProblem, ModuleFile, ModuleFinder, entry_module

__all__ = ["NOT_PROJECT", "ImportProblem", "ModuleFile", "ModuleFinder", "entry_module"]
