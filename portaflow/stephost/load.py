"""Which ``@step`` objects a step host serves: those the compiled workflow calls, by the compiler's keys.

The compiler (not an import) decides which steps a workflow uses and what each one's key is; the keys are
the ones the generated runtime puts in ``POST /steps/{key}``. The step objects themselves come from
importing the workflow's file as ``portaflow run`` does, and each step's own module by its dotted name.
"""

from __future__ import annotations

import importlib
from typing import Any

from portaflow.dsl.decorators import Step
from portaflow.dsl.errors import PortaflowError


class StepHostError(PortaflowError):
    """The step host cannot start: the message is one line for the user, no traceback."""


def load_steps(ref: str) -> dict[str, Step[..., Any]]:
    """The steps the workflow ``FILE[:WORKFLOW]`` calls, keyed as ``program.steps`` keys them."""
    from portaflow.compiler.frontend import compile_file
    from portaflow.local_engine.loader import import_file
    from portaflow.source.refs import split_ref

    path, workflow = split_ref(ref)
    if not path.is_file():
        raise StepHostError(f"{path}: no such file; write FILE.py[:WORKFLOW], e.g. examples/refund_saga.py")
    try:
        res = compile_file(path, workflow)
    except (OSError, UnicodeDecodeError) as exc:
        raise StepHostError(f"cannot read {path}: {exc}") from None
    if res.errors or res.program is None:
        first = res.errors[0] if res.errors else None
        if first is None:
            raise StepHostError(f"{path}: not a workflow portaflow can compile")
        more = len(res.errors) - 1
        tail = f" (and {more} more: `portaflow compile {ref}` lists them)" if more else ""
        raise StepHostError(f"{first.path}:{first.line}:{first.col}: {first.code} {first.message}{tail}")
    program = res.program
    entry = import_file(path)
    steps: dict[str, Step[..., Any]] = {}
    for key, sd in program.steps.items():
        where = sd.module or program.module
        try:
            home = entry if where == program.module else importlib.import_module(where)
        except Exception as exc:  # not found, or its import raised: the user's code, one line
            raise StepHostError(
                f"cannot import module {where!r} of step {key!r}: {type(exc).__name__}: {exc}"
            ) from None
        obj = getattr(home, sd.function, None)
        if not isinstance(obj, Step):
            raise StepHostError(f"{where}.{sd.function} (step {key!r}) is not a @step once imported")
        steps[key] = obj
    return steps
