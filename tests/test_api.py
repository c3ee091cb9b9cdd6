"""The Python API (docs/api.md): the engine is importable from `portaflow`, lazily, and what the docs list
is what exists."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

import portaflow
from portaflow import Context, step, workflow
from portaflow.local_engine import Engine

API_DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"


@step
def one() -> int:
    return 1


@workflow
def w(ctx: Context) -> int:
    return one()


def test_the_engine_and_its_types_are_importable_from_portaflow() -> None:
    from portaflow import Engine as E
    from portaflow import HistoryEvent, RunHandle, RunStatus, SystemClock, VirtualClock
    from portaflow.local_engine import engine

    assert E is Engine
    assert (RunHandle, RunStatus, HistoryEvent) == (engine.RunHandle, engine.RunStatus, engine.HistoryEvent)
    assert VirtualClock().virtual and not SystemClock().virtual
    assert {"Engine", "VirtualClock", "RunStatus"} <= set(portaflow.__all__)


def test_import_portaflow_does_not_load_the_engine_until_it_is_used() -> None:
    code = (
        "import sys, portaflow\n"
        "assert 'portaflow.local_engine' not in sys.modules and 'sqlite3' not in sys.modules\n"
        "assert 'croniter' not in sys.modules  # only a workflow with a schedule needs it\n"
        "portaflow.Engine\n"
        "assert 'portaflow.local_engine.engine' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Engin'"):
        portaflow.Engin  # noqa: B018


def test_list_is_list_runs(portaflow_engine: Engine) -> None:
    portaflow_engine.start(w, run_id="a")
    assert portaflow_engine.list() == portaflow_engine.list_runs()
    assert [r.run_id for r in portaflow_engine.list("completed")] == ["a"]


def test_every_method_in_the_docs_table_exists_with_those_parameters() -> None:
    rows = re.findall(r"^\| `(\w+)\(([^)]*)\)", API_DOC.read_text(), re.M)
    assert {name for name, _ in rows} >= {
        "start", "submit", "signal", "status", "result", "history", "list", "cancel", "work",
    }  # fmt: skip
    for name, params in rows:
        signature = inspect.signature(getattr(Engine, name))
        documented = [p.split("=")[0].strip() for p in params.split(",") if p.strip() not in ("", "*", "...")]
        assert all(p in signature.parameters for p in documented), (name, documented, signature)
        assert signature.return_annotation is not inspect.Signature.empty, name


def test_an_engine_in_memory_runs_workflows() -> None:
    """``Engine(":memory:")``: not durable, but a whole engine (the schema lives on its one connection)."""
    with Engine(":memory:") as engine:
        assert engine.start(w).result() == 1
