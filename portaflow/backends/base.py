"""What a compile target provides: the :class:`Backend` interface, its capabilities, and the offline executor.

A backend is one folder under ``portaflow/backends`` (or any installed distribution) registered in the
entry-point group ``portaflow.backends``; the compiler, the CLI and the conformance suite reach it only
through this interface, so adding a target never edits them (docs/architecture.md).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol

if TYPE_CHECKING:
    from portaflow.compiler import ir
    from portaflow.compiler.diagnostics import Diagnostic

    from .project import Project

ValueSemantics = Literal["copy", "reference"]


@dataclass(frozen=True)
class Capabilities:
    """What the neutral layers must know of a target to check a program for it.

    ``values``: "copy" where every assignment copies a value (Step Functions' JSON, GCP's maps); the aliasing
    pass (PFC041) runs there, since an in-place change would not be seen through another name. "reference"
    where names share objects as in Python (Azure's Python orchestrator, Cloudflare's TypeScript).
    ``whole_second_timers``: durations (sleeps, retry delays, timeouts) are whole seconds on the target.
    ``max_history_events`` / ``max_payload_bytes``: the engine's limits (None: no such limit), which the
    backend's check warns about where it can (PFW100 on AWS) and ``compile --list-targets`` shows.
    """

    values: ValueSemantics
    whole_second_timers: bool = False
    max_history_events: int | None = None
    max_payload_bytes: int | None = None

    def describe(self) -> str:
        """One line for ``compile --list-targets``: what a user must know of the target's semantics."""
        parts = ["values copied on assignment" if self.values == "copy" else "values shared by reference"]
        if self.whole_second_timers:
            parts.append("whole-second timers")
        if self.max_history_events is not None:
            parts.append(f"history of at most {self.max_history_events:,} events per run")
        if self.max_payload_bytes is not None:
            size = self.max_payload_bytes
            parts.append(
                f"payloads of at most {size // 1024:,} KiB"
                if size % 1024 == 0
                else f"payloads of at most {size:,} bytes"
            )
        return "; ".join(parts)


@dataclass(frozen=True)
class StepCall:
    """One attempt of one step, as an offline executor observed it (what the conformance suite compares)."""

    step: str
    args: dict[str, Any]  # parameter name -> value, the injected idempotency_key included where it is
    key: str
    attempt: int
    error: dict[str, str] | None = None  # {"type", "message"} of a failed attempt
    delay: float | None = None  # the retry delay requested after this attempt failed


class Run(Protocol):
    """A run on an offline executor: read after ``start``/``signal``/``advance`` returned."""

    run_id: str
    status: str  # "running" | "waiting" | "completed" | "failed"
    output: Any
    error: dict[str, str] | None
    waiting_for: str | None
    wait_label: str | None  # the label of the wait for ``waiting_for`` (``ctx.wait_for_event(label=...)``)

    @property
    def calls(self) -> list[Any]: ...  # StepCall-shaped records: step, args, key, attempt, error, delay

    @property
    def sleeps(self) -> list[float]: ...  # the seconds of each durable sleep, in order


class Executor(Protocol):
    """Runs a compiled workflow offline on the target's real execution semantics, with virtual time.

    Each call returns once every run it moved has completed, failed, or waits for an event or a timer."""

    def start(self, input: Any = None, run_id: str | None = None) -> Run: ...

    def signal(
        self, run_id: str, event: str, payload: Any = None, *, error: tuple[str, str] | None = None
    ) -> Run:
        """Send an event, as the target's HTTP API or SDK does; ``error=(type, message)`` sends it as a
        failure (``portaflow signal --error TYPE:MESSAGE``)."""
        ...

    def advance(self, duration: str | float) -> None: ...


@dataclass(frozen=True)
class CodeInfo:
    """A backend's own diagnostic code: its title, and the section of docs/compile-errors.md it lives in."""

    title: str
    severity: Literal["error", "warning"] = "error"


class Backend(ABC):
    """A compile target. Subclasses set the class attributes and implement check, compile and offline.

    ``check`` and ``compile`` see a program the frontend lowered without errors (``check`` also sees a
    partial one, to report everything in one run); neither may raise for a program the frontend accepted:
    what the target cannot express is a diagnostic with one of the backend's ``codes``.
    """

    name: ClassVar[str]  # the --target value
    title: ClassVar[str]  # "AWS Step Functions"
    summary: ClassVar[str]  # one line for `compile --list-targets`
    codes: ClassVar[Mapping[str, CodeInfo]]  # its own PFCxxx / PFWxxx, documented in docs/compile-errors.md
    capabilities: ClassVar[Capabilities]

    @abstractmethod
    def check(self, program: ir.Program) -> list[Diagnostic]:
        """Every diagnostic of the target's own (refusals, limits), without building the project."""

    @abstractmethod
    def compile(self, program: ir.Program, source: Path) -> Project:
        """The deployable project in memory (nothing written): ``Project.write(out)`` writes it.
        ``source`` is the workflow's file: the project ships the user's modules it imports."""

    def offline(self, source: Path, workflow: str | None = None) -> AbstractContextManager[Executor]:
        """An executor of the compiled workflow on the target's semantics, offline (tests, conformance).
        A backend without one leaves this as it is: the conformance suite then marks it ``notyet``."""
        raise NotImplementedError(f"the {self.name} backend has no offline executor")

    @property
    def has_offline(self) -> bool:
        return type(self).offline is not Backend.offline
