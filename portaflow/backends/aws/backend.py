"""The AWS Step Functions backend as the registry sees it (entry point ``aws`` in ``portaflow.backends``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from portaflow.backends.base import Backend, Capabilities, CodeInfo, Executor
from portaflow.backends.partial import refusals
from portaflow.compiler.diagnostics import Diagnostic

from .codes import CODES

if TYPE_CHECKING:
    from portaflow.backends.project import Project
    from portaflow.compiler import ir

# json.dumps of these types writes the same text on Step Functions (JSONata's $string) as in Python
_EXACT_JSON_TYPES = ("str", "int", "bool", "none")


class AwsBackend(Backend):
    name: ClassVar[str] = "aws"
    title: ClassVar[str] = "Step Functions"
    summary: ClassVar[str] = "AWS Step Functions (ASL in JSONata mode) with a SAM project of Lambda steps"
    codes: ClassVar[dict[str, CodeInfo]] = CODES
    capabilities: ClassVar[Capabilities] = Capabilities(
        values="copy", whole_second_timers=True, max_history_events=25_000, max_payload_bytes=256 * 1024
    )

    def check(self, program: ir.Program) -> list[Diagnostic]:
        from .lower.asl import compile_asl
        from .lower.calls import inexact_calls
        from .lower.datetimes import datetime_refusals, has_unlowered
        from .lower.formats import format_refusals

        partial = refusals(program, "AWS Step Functions")
        if partial:  # the lowering has no form for an exception value
            return partial
        inexact = [*inexact_calls(program), *format_refusals(program)]
        if inexact or has_unlowered(program):  # such a call (a timedelta) has no lowering
            return [*inexact, *datetime_refusals(program)]
        _, diags = compile_asl(program)
        return [*diags, *datetime_refusals(program), *_json_float_warnings(program)]

    def compile(self, program: ir.Program, source: Path) -> Project:
        from .project import build_project

        return build_project(program, source)

    def offline(self, source: Path, workflow: str | None = None) -> AbstractContextManager[Executor]:
        return _harness(source, workflow)


@contextmanager
def _harness(source: Path, workflow: str | None) -> Iterator[Any]:
    from .offline.harness import AwsHarness

    with AwsHarness(source, workflow) as h:
        yield h


def _json_float_warnings(program: ir.Program) -> list[Diagnostic]:
    """PFW102 where ``json.dumps`` gets a value that may hold floats: Step Functions writes 42.0 as 42."""
    from portaflow.backends.jsonfloats import json_dumps_sites

    return [
        Diagnostic(
            "PFW102",
            "json.dumps of a value that may hold floats: on Step Functions a float with an "
            "integral value (42.0) is written as 42",
            wf.source or program.source,
            s.loc.line,
            s.loc.col,
            'format numbers explicitly (f"{x:.2f}") where the text matters',
            "warning",
        )
        for wf, s in json_dumps_sites(program, _EXACT_JSON_TYPES)
    ]
