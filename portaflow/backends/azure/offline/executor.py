"""The Azure backend's offline executor: the generated app, run by the real ``azure-functions-durable`` SDK
under :class:`.host.DurableHost` (the Durable Task Framework's part), with virtual time.

    with AzureExecutor(Path("flow.py")) as ex:
        run = ex.start({"order_id": "o1"}, run_id="r1")
        ex.signal("r1", "approval", {"ok": True})
        run.status, run.output, run.calls, run.sleeps

The workflow is compiled and its app written to a temporary folder, exactly as ``portaflow compile --target
azure`` writes it. Step attempts, retry delays and sleeps are observed through the shipped runtime's
``TRACE`` hook, which reports each once (never on replay).
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from portaflow.backends.base import StepCall
from portaflow.compiler.diagnostics import CompileError
from portaflow.compiler.ir import change_ids
from portaflow.dsl.events import event_data

RUNTIME_MODULE = "portaflow_azure_runtime"


class AzureRun:
    """A run on the executor, read live (every attribute reflects the run as it is now)."""

    def __init__(self, executor: AzureExecutor, run_id: str) -> None:
        self.executor = executor
        self.run_id = run_id

    def _status(self) -> Any:
        return self.executor.host.status(self.run_id)

    @property
    def status(self) -> str:
        st = self._status()
        if st.runtime_status == "Completed":
            return "completed"
        if st.runtime_status == "Failed":
            return "failed"
        return "waiting"  # every host call returns once each instance it moved completed, failed or waits

    @property
    def output(self) -> Any:
        st = self._status()
        return st.output if st.runtime_status == "Completed" else None

    @property
    def error(self) -> dict[str, str] | None:
        st = self._status()
        if st.runtime_status != "Failed":
            return None
        return self.executor.runtime.parse_run_error(st.failure or "")  # type: ignore[no-any-return]

    @property
    def waiting_for(self) -> str | None:
        names = self._status().waiting_for
        if names:
            return str(names[0])
        running = [c for c in self.executor.host.instances[self.run_id].children if c.running]
        return "~child:" + str(running[0].id) if running else None  # as the local engine's status says

    @property
    def wait_label(self) -> str | None:
        """The label a labelled wait puts in the custom status while the instance waits for its event."""
        st = self._status()
        custom = st.custom_status if isinstance(st.custom_status, dict) else {}
        waiting = self.waiting_for
        label = custom.get("wait_label")
        return label if waiting is not None and custom.get("waiting_for") == waiting else None

    @property
    def calls(self) -> list[StepCall]:
        return list(self.executor.calls.get(self.run_id, []))

    @property
    def sleeps(self) -> list[float]:
        return list(self.executor.sleeps.get(self.run_id, []))

    @property
    def logs(self) -> list[dict[str, Any]]:
        """The ctx.log lines as the orchestrator wrote them (not replaying): message, position, fields."""
        return list(self.executor.logs.get(self.run_id, []))


class AzureExecutor:
    """See the module docstring; the backend interface's ``Executor``."""

    def __init__(self, source: Path, workflow: str | None = None) -> None:
        from portaflow.backends import get
        from portaflow.compiler.frontend import compile_file
        from portaflow.compiler.pipeline import diagnose

        res = compile_file(source, workflow)
        errors = [d for d in diagnose(res, get("azure")) if d.severity == "error"]
        if errors or res.program is None:
            raise CompileError(errors, res.sources)
        self.program = res.program
        self.patches = change_ids(res.program)  # what the app's start endpoint records in a run's input
        self.source = Path(source)
        self.calls: dict[str, list[StepCall]] = {}
        self.sleeps: dict[str, list[float]] = {}
        self.logs: dict[str, list[dict[str, Any]]] = {}  # run id -> the ctx.log lines, each time written
        self.runs: dict[str, AzureRun] = {}
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> AzureExecutor:
        from ..project import build_project
        from .host import DurableHost

        self._tmp = tempfile.TemporaryDirectory(prefix="portaflow-azure-")
        out = Path(self._tmp.name) / "app"
        build_project(self.program, self.source).write(out)
        # events raised before their wait reach the history as on Azure (the SDK then keeps only the last
        # of a name): the runtime's own queue is what must make them arrive in order, each once
        # its virtual clock starts at the wall clock, as the local engine's VirtualClock and the other
        # offline executors do (ctx.now() of a run started today is today; whole milliseconds, as Azure's)
        now = datetime.fromtimestamp(math.floor(time.time() * 1000) / 1000, tz=UTC)
        self.host = DurableHost(out, early_events="azure", start=now)
        self.runtime = sys.modules[RUNTIME_MODULE]
        self.runtime.TRACE = self._trace  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.host.close()
        finally:
            if self._tmp is not None:
                self._tmp.cleanup()

    def _trace(self, run_id: str, kind: str, data: dict[str, Any]) -> None:
        if kind == "attempt":
            self.calls.setdefault(run_id, []).append(
                StepCall(data["step"], data["args"], data["key"], data["attempt"], data["error"])
            )
        elif kind == "retry":
            calls = self.calls.get(run_id, [])
            for i in range(len(calls) - 1, -1, -1):
                c = calls[i]
                if c.key == data["key"] and c.attempt == data["attempt"]:
                    calls[i] = StepCall(c.step, c.args, c.key, c.attempt, c.error, float(data["delay"]))
                    break
        elif kind == "sleep":
            self.sleeps.setdefault(run_id, []).append(float(data["seconds"]))
        elif kind == "log":
            self.logs.setdefault(run_id, []).append(dict(data))

    # -------------------------------------------------------------------------------- the Executor API
    def start(self, input: Any = None, run_id: str | None = None) -> AzureRun:
        entry = self.program.workflows[self.program.entry].name
        body = self.runtime.start_input(input if input is not None else {}, self.patches)
        run_id = self.host.start(entry, body, run_id)  # as the app's start endpoint starts it
        run = self.runs[run_id] = AzureRun(self, run_id)
        return run

    def signal(
        self, run_id: str, event: str, payload: Any = None, *, error: tuple[str, str] | None = None
    ) -> AzureRun:
        """Raise the event as the app's endpoint does: its data is ``portaflow.dsl.events``' form."""
        self.host.raise_event(run_id, event, event_data(payload, error))
        return self.runs.setdefault(run_id, AzureRun(self, run_id))

    def advance(self, duration: str | float) -> None:
        self.host.advance(duration)

    def child_runs(self, run_id: str) -> list[AzureRun]:
        """The sub-orchestrations ``run_id`` started (``ctx.start_workflow``), and theirs, in start order."""
        out: list[AzureRun] = []
        todo = [run_id]
        while todo:
            for child in self.host.instances[todo.pop(0)].children:
                out.append(self.runs.setdefault(child.id, AzureRun(self, child.id)))
                todo.append(child.id)
        return out
