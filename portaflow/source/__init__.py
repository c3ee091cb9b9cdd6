"""The source layer: how portaflow finds, reads and names the user's Python code, shared by lint, the
compiler and ``portaflow run`` so the three cannot disagree about what a file, a module or a ``@step`` is.

- :mod:`.finder`: module lookup as Python's import system does it, relative imports, a file's module name.
- :mod:`.parse`: PEP 263 decoding and libcst parsing, with CPython's syntax-error positions.
- :mod:`.refs`: the ``FILE[:WORKFLOW]`` references of the command line.
- :mod:`.names`: which decorators are portaflow's ``@step`` and ``@workflow``.

libcst is imported only when something is parsed, so ``portaflow run`` (which needs :mod:`.finder` and
:mod:`.refs` only) does not load it.
"""
