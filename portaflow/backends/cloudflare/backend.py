"""The Cloudflare Workflows backend as the registry sees it (entry point ``cloudflare`` in
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


class CloudflareBackend(Backend):
    name: ClassVar[str] = "cloudflare"
    title: ClassVar[str] = "Cloudflare Workflows"
    summary: ClassVar[str] = (
        "Cloudflare Workflows (a TypeScript Workers project: WorkflowEntrypoint, wrangler config; "
        "steps on a Python step host)"
    )
    codes: ClassVar[dict[str, CodeInfo]] = CODES
    capabilities: ClassVar[Capabilities] = Capabilities(
        values="reference", max_history_events=10_000, max_payload_bytes=1024 * 1024
    )

    def check(self, program: ir.Program) -> list[Diagnostic]:
        from portaflow.backends.childruns import child_run_refusals

        from .lower.checks import check

        refused = child_run_refusals(
            program,
            "PFC083",
            "ctx.start_workflow starts a run of its own: the Cloudflare backend does not compile it yet (it "
            "maps to the child Workflow binding's create({id, params}) from a step, and waiting for its "
            "result is not exact on the Workflows runtime portaflow targets)",
        )
        return refused if refused else check(program)

    def compile(self, program: ir.Program, source: Path) -> Project:
        from .project import build_project

        return build_project(program, source)

    def offline(self, source: Path, workflow: str | None = None) -> AbstractContextManager[Executor]:
        return _executor(source, workflow)


@contextmanager
def _executor(source: Path, workflow: str | None) -> Iterator[Any]:
    from .offline.executor import CloudflareExecutor

    with CloudflareExecutor.for_source(source, workflow) as ex:
        yield ex
