"""The frontend's entry points: :func:`compile_source` and :func:`compile_file` lower a module's workflow
(picked by name, or the only one) and everything it calls to an :class:`~portaflow.compiler.ir.Program`,
with every diagnostic found."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from portaflow.source.parse import ParseFailure, decode_source

from .. import ir
from ..diagnostics import Diagnostic
from .common import names_in
from .modules import ModuleInfo
from .program import Frontend


@dataclass
class CompileResult:
    program: ir.Program | None
    diagnostics: list[Diagnostic]
    source: str
    sources: dict[str, str] = field(default_factory=dict)  # every module read, by its path in diagnostics

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


def compile_source(source: str, path: str = "<string>", workflow: str | None = None) -> CompileResult:
    """Lower ``workflow`` (a function name or its ``name=``) to a Program. ``None`` picks the module's only
    @workflow; a module with several needs the name (PFC002 lists them), as ``portaflow run`` does.

    ``path`` locates the module: steps and workflows it imports are read from the project's files around it
    (see :mod:`portaflow.source.finder`)."""
    fe = Frontend(path, source)
    info = fe.parse()

    def result(program: ir.Program | None) -> CompileResult:
        return CompileResult(program, fe.all_diagnostics(), source, dict(fe.sources))

    if info is None:
        return result(None)
    if not info.workflows:
        hint = "decorate the entry function with @workflow"
        foreign = [
            f"{name}'s {why}"
            for name, why in info.foreign.items()
            if why.split(" ", 1)[0].endswith("workflow")
        ]
        if foreign:
            hint = f"{'; '.join(foreign)}: import workflow from portaflow"
        fe.diags.append(Diagnostic("PFC002", "the module defines no @workflow function", path, 1, 1, hint))
        return result(None)
    for fn in info.workflows.values():
        fe.positional_options(fn)
        fe.option_name(fn)
    key = None
    if workflow is None:
        if len(info.workflows) > 1:
            fe.diags.append(_which_workflow(fe, info, path))
            return result(None)
        key = next(iter(info.workflows))
    else:
        for k, fn in info.workflows.items():
            if workflow in (k, fe.option_name(fn)):
                key = k
        if key is None:
            fe.diags.append(_no_such_workflow(fe, info, path, workflow))
            return result(None)
    for fn in info.steps.values():  # check every step's options, used or not
        fe.lower_step(fn)
    _, entry = fe.lower_workflow(info.workflows[key])
    if entry is None:
        return result(None)
    used = {
        st.step
        for wf in fe.workflows_ir.values()
        for st in ir.walk_stmts(wf.body)
        if isinstance(st, (ir.StepCall, ir.MapCall)) and st.step is not None
    }
    steps = {k: v for k, v in fe.steps_ir.items() if k in used}
    prog = ir.Program(
        source=path, module=info.file.name, entry=key, workflows=dict(fe.workflows_ir), steps=steps
    )
    return result(prog)


def _which_workflow(fe: Frontend, info: ModuleInfo, path: str) -> Diagnostic:
    """PFC002 for a module with several workflows and no name: list them, and suggest the one no other
    workflow of the module calls (the likely entry point) when there is exactly one such."""
    names = sorted(info.workflows)
    called: set[str] = set()
    for key, fn in info.workflows.items():
        used = {n.value for n in names_in(fn.node.body)}
        called.update(k for k in info.workflows if k != key and k in used)
    roots = [n for n in names if n not in called]
    if len(roots) == 1:
        children = sorted(called)
        run = "runs as a child workflow" if len(children) == 1 else "run as child workflows"
        hint = (
            f"write {path}:{roots[0]} on the command line, or compile_file(path, workflow={roots[0]!r}); "
            f"{', '.join(children)} {run} here"
        )
    else:
        hint = f"write {path}:NAME on the command line, or compile_file(path, workflow=NAME)"
    first = next(iter(info.workflows.values()))
    return Diagnostic(
        "PFC002",
        f"name the workflow as {path}:NAME (workflows here: {', '.join(names)})",
        path,
        fe.pos(first.node.name).line,
        1,
        hint,
    )


def _no_such_workflow(fe: Frontend, info: ModuleInfo, path: str, workflow: str) -> Diagnostic:
    """PFC002 for ``FILE:NAME`` naming no workflow: saying what NAME is when it is a step or another
    function of the module (at its def), else where the module's workflows are."""
    here = "workflows here: " + ", ".join(info.workflows)
    for k, fn in info.steps.items():
        if workflow in (k, fe.option_name(fn)):
            loc = fe.pos(fn.node.name)
            return Diagnostic(
                "PFC002",
                f"{workflow!r} is a @step, not a @workflow: a step runs inside a workflow",
                path,
                loc.line,
                loc.col,
                f"compile the workflow that calls it; {here}",
            )
    if workflow in info.functions:
        return Diagnostic(
            "PFC002",
            f"{workflow!r} is a plain function, not a @workflow",
            path,
            info.functions[workflow],
            1,
            f"decorate it with @workflow, or name a workflow; {here}",
        )
    return Diagnostic("PFC002", f"no @workflow named {workflow!r} in {path}", path, 1, 1, here)


def compile_file(path: str | Path, workflow: str | None = None) -> CompileResult:
    """Compile the file at ``path``, decoded as Python would (its PEP 263 coding cookie, else UTF-8).
    OSError when it cannot be read, UnicodeDecodeError when it cannot be decoded."""
    data = Path(path).read_bytes()
    try:
        source = decode_source(data)
    except ParseFailure as e:
        if e.decode_error is not None:
            raise e.decode_error from None
        raise UnicodeDecodeError("utf-8", data, 0, len(data), e.message) from None
    return compile_source(source, str(path), workflow)
