"""The Azure Durable Functions backend as the registry sees it (entry point ``azure`` in
``portaflow.backends``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from portaflow.backends.base import Backend, Capabilities, CodeInfo, Executor
from portaflow.compiler.diagnostics import Diagnostic

from .codes import CODES

if TYPE_CHECKING:
    from portaflow.backends.project import Project
    from portaflow.compiler import ir

# the app's own top-level modules: a user's module of the same name would be shadowed by them
APP_MODULES = ("function_app", "portaflow_azure_runtime", "portaflow")


class AzureBackend(Backend):
    name: ClassVar[str] = "azure"
    title: ClassVar[str] = "Azure Durable Functions"
    summary: ClassVar[str] = (
        "Azure Durable Functions (a Python v2 Functions app: orchestrator, activities, HTTP API)"
    )
    codes: ClassVar[dict[str, CodeInfo]] = CODES
    capabilities: ClassVar[Capabilities] = Capabilities(values="reference")

    def check(self, program: ir.Program) -> list[Diagnostic]:
        from portaflow.backends.childruns import child_run_refusals

        out: list[Diagnostic] = child_run_refusals(program, "PFC082", "", _child_run_refusal)
        modules = {program.module, *(s.module for s in program.steps.values() if s.module)}
        modules |= {w.module for w in program.workflows.values() if w.module}
        for module in sorted(modules):
            top = module.split(".")[0]
            if top in APP_MODULES:
                out.append(
                    Diagnostic(
                        "PFC050",
                        f"the module {module!r} has the name of a module the Azure app itself holds ({top})",
                        program.source,
                        1,
                        1,
                        f"rename {top} (the app ships function_app.py and portaflow_azure_runtime.py)",
                    )
                )
        return out

    def compile(self, program: ir.Program, source: Path) -> Project:
        from .project import build_project

        return build_project(program, source)

    def offline(self, source: Path, workflow: str | None = None) -> AbstractContextManager[Executor]:
        return _executor(source, workflow)


@contextmanager
def _executor(source: Path, workflow: str | None) -> Iterator[Any]:
    from .offline.executor import AzureExecutor

    with AzureExecutor(source, workflow) as ex:
        yield ex


def _child_run_refusal(wf: ir.WorkflowDef, s: ir.StartWorkflow | ir.AwaitWorkflow) -> str | None:
    """Why a child run cannot be compiled for Azure (None: it is, as a sub-orchestration)."""
    from portaflow.compiler import ir

    if isinstance(s, ir.AwaitWorkflow) or not s.wait:
        return (
            "ctx.start_workflow without .result() in the same statement: an orchestrator starts a "
            "sub-orchestration only to wait for it (call_sub_orchestrator), and a run started without "
            "waiting needs a client binding the generated app does not have"
        )
    if wf.timeout is not None:
        return (
            f"a child run waited for inside workflow {wf.name!r}, which has a timeout: the wait for a "
            "sub-orchestration is not raced with the run's deadline"
        )
    return None
