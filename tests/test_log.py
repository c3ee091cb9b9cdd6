"""ctx.log(message, **fields): each line is written once, to the run's history and to the logger
`portaflow.workflow`, never again on replay; it takes no call number, and adding or removing one is no
divergence. Each target's generated code writes each line once too (docs/semantics.md, "Logging")."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from portaflow import Context, RetryPolicy, StepFailed, step, workflow
from portaflow.local_engine import Engine

SCENARIO = Path(__file__).parent / "conformance" / "scenarios" / "s262_log_lines_once.py"
LINES = [  # s262's lines: message, step position (the next step call's path), fields
    ("checking out 3 order(s)", "0", {"run": "shop-1"}),
    ("charging o-1", "0", {"amount": 40}),
    ("charging o-2", "1", {"amount": 400}),
    ("declined: o-2: 400 is over the limit", "2", {"order": "o-2"}),
    ("charging o-3", "2", {"amount": 7}),
    ("no coupon: 'coupon'", "3", {}),
    ("done", "3", {"charged": ["shop-1:0", "shop-1:2"]}),
]
KEYS: list[str] = []


@step
def book(what: str, idempotency_key: str) -> str:
    KEYS.append(idempotency_key)
    return what


def trip(logged: bool) -> Any:
    """The workflow `trip` as deployed with its log lines, or without them."""

    @workflow(name="trip")
    def with_logs(ctx: Context, city: str) -> list[str]:
        ctx.log(f"booking a trip to {city}", city=city)
        flight = book(f"flight to {city}")
        ctx.log("flight booked; waiting for the traveller")
        ctx.wait_for_event("confirm")
        ctx.log("confirmed")
        hotel = book(f"hotel in {city}")
        return [flight, hotel]

    @workflow(name="trip")
    def without_logs(ctx: Context, city: str) -> list[str]:
        flight = book(f"flight to {city}")
        ctx.wait_for_event("confirm")
        hotel = book(f"hotel in {city}")
        return [flight, hotel]

    without_logs.fn.__qualname__ = with_logs.fn.__qualname__  # the same workflow, as a deploy changes it
    return with_logs if logged else without_logs


@pytest.fixture(autouse=True)
def _reset() -> None:
    KEYS.clear()


def _lines(engine: Engine, run_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (e.data["message"], e.data["position"], e.data["fields"])
        for e in engine.history(run_id)
        if e.kind == "log_written"
    ]


def test_a_line_is_written_once_with_run_id_and_position_and_not_again_on_replay(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="portaflow.workflow")
    db = tmp_path / "runs.db"
    with Engine(db, workflows=[trip(True)]) as engine:
        engine.start(trip(True), {"city": "Oslo"}, run_id="t1")
    with Engine(db, workflows=[trip(True)]) as engine:  # a new process: the run replays from its history
        assert engine.signal("t1", "confirm").status == "completed"
        assert _lines(engine, "t1") == [
            ("booking a trip to Oslo", "0", {"city": "Oslo"}),
            ("flight booked; waiting for the traveller", "1", {}),
            ("confirmed", "1", {}),
        ]
        site = next(e for e in engine.history("t1") if e.kind == "log_written").data["site"]
        assert site.startswith(f"{__file__}:")
    records = [r for r in caplog.records if r.name == "portaflow.workflow"]
    assert [r.getMessage() for r in records] == [
        "booking a trip to Oslo (run t1, step 0)",
        "flight booked; waiting for the traveller (run t1, step 1)",
        "confirmed (run t1, step 1)",
    ]
    first = records[0]
    assert (first.run_id, first.position, first.fields) == ("t1", "0", {"city": "Oslo"})  # type: ignore[attr-defined]


def test_log_lines_take_no_call_number_so_step_keys_stay_the_same(tmp_path: Path) -> None:
    for logged in (False, True):
        with Engine(tmp_path / f"{logged}.db", workflows=[trip(logged)]) as engine:
            engine.start(trip(logged), {"city": "Rome"}, run_id="t")
            engine.signal("t", "confirm")
    assert KEYS == ["t:0", "t:1", "t:0", "t:1"]


@pytest.mark.parametrize("first, then", [(True, False), (False, True)])
def test_adding_or_removing_a_line_is_no_divergence(tmp_path: Path, first: bool, then: bool) -> None:
    db = tmp_path / "runs.db"
    with Engine(db, workflows=[trip(first)]) as old:
        old.start(trip(first), {"city": "Lima"}, run_id="t")
    with Engine(db, workflows=[trip(then)]) as new:  # the code changed while the run waited
        assert new.signal("t", "confirm").status == "completed"
        lines = [m for m, _, _ in _lines(new, "t")]
    # a line added in the part the run had gone past is not written for it (that part only replays)
    assert lines == (
        ["booking a trip to Lima", "flight booked; waiting for the traveller"] if first else ["confirmed"]
    )


def test_history_shows_the_lines_and_json_has_them(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    with Engine(db, workflows=[trip(True)]) as engine:
        engine.start(trip(True), {"city": "Kyiv"}, run_id="t1")

    def cli(*args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "portaflow", *args, "--db", str(db)], capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        return out.stdout

    text = cli("history", "t1")
    line = '{"message":"booking a trip to Kyiv","fields":{"city":"Kyiv"}}'
    assert f"log_written          before step 0                {line}" in text
    assert f"written at {__file__}:" in text
    events = [e for e in json.loads(cli("history", "t1", "--json")) if e["kind"] == "log_written"]
    assert [e["data"]["message"] for e in events] == [
        "booking a trip to Kyiv",
        "flight booked; waiting for the traveller",
    ]
    assert events[0]["key"] == "log:0#0" and events[1]["data"]["position"] == "1"


def test_a_field_that_is_not_json_is_one_clear_error(tmp_path: Path) -> None:
    @workflow
    def bad(ctx: Context) -> None:
        ctx.log("x", at={1, 2})

    with Engine(tmp_path / "runs.db", workflows=[bad]) as engine:
        st = engine.start(bad, run_id="b").status()
    assert st.status == "failed"
    assert st.error is not None and st.error["type"] == "WorkflowError"
    assert st.error["message"].startswith("the fields of ctx.log must be a JSON value")


def _aws_lines(run: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """The lines in the execution's history: the output of each log state as it exited (the states after
    it pass that output on, as every state passes its input when it sets no output of its own; one whose
    message raised exits with the error instead)."""
    out = []
    for e in run.history():
        details = e.get("stateExitedEventDetails") or {}
        output = json.loads(details.get("output") or "null")
        written = isinstance(output, dict) and "portaflow_log" in output  # not a log state that raised
        if details.get("name", "").startswith("Log L") and written:
            assert output["run_id"] == run.run_id
            out.append((output["portaflow_log"], output["position"], output["fields"]))
    return out


@pytest.mark.parametrize("target", ["aws", "azure", "cloudflare"])
def test_each_target_writes_each_line_once(target: str, caplog: pytest.LogCaptureFixture) -> None:
    from portaflow.backends import get

    caplog.set_level(logging.INFO, logger="portaflow.workflow")
    scenario: dict[str, Any] = {}
    exec(compile(SCENARIO.read_text(), str(SCENARIO), "exec"), scenario)  # its SCENARIO's input
    with get(target).offline(SCENARIO, "checkout") as ex:
        run = ex.start(scenario["SCENARIO"]["input"], run_id="shop-1")
        assert run.status == "completed", run.error
        if target == "aws":
            assert _aws_lines(run) == LINES
            return
        assert [(d["message"], d["position"], d["fields"]) for d in run.logs] == LINES
    if target == "azure":  # the orchestrator replayed at every episode, and logged each line once
        records = [r for r in caplog.records if r.name == "portaflow.workflow"]
        assert [r.getMessage() for r in records] == [f"{m} (run shop-1, step {p})" for m, p, _ in LINES]


def test_the_ui_timeline_lists_a_line_with_its_position_and_fields(tmp_path: Path) -> None:
    from portaflow.local_engine.store import EventRow
    from portaflow.ui.timeline import timeline

    with Engine(tmp_path / "runs.db", workflows=[trip(True)]) as engine:
        engine.start(trip(True), {"city": "Baku"}, run_id="t1")
        rows = [EventRow(e.seq, e.kind, e.key, e.name, e.data, e.at) for e in engine.history("t1")]
    entries = [e for e in timeline(rows) if e.detail.startswith("log,")]
    assert [(e.title, e.detail) for e in entries] == [
        ("booking a trip to Baku", "log, before step 0"),
        ("flight booked; waiting for the traveller", "log, before step 1"),
    ]
    assert [p.label for p in entries[0].payloads] == ["fields"] and not entries[1].payloads


CRASHING = """
import os, sys
from pathlib import Path
from portaflow import Context, RetryPolicy, StepFailed, step, workflow
from portaflow.local_engine import Engine

MARK = Path(__file__).with_suffix(".crashed")


@step
def pay(order: str) -> str:
    if not MARK.exists():
        MARK.write_text("x")
        os._exit(9)  # the process dies inside the step, after the line before it was written
    return f"paid {order}"


@workflow
def order(ctx: Context, order: str) -> str:
    ctx.log(f"paying {order}")
    paid = pay(order)
    ctx.log(f"{paid}")
    return paid


if __name__ == "__main__":
    import logging
    logging.basicConfig(level=logging.INFO)
    Engine(sys.argv[1]).start(order, {"order": "o-7"}, run_id="crash-1")
"""


def test_a_line_written_before_a_crash_is_not_written_again_by_the_recovery(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import importlib.util

    module = tmp_path / "crashing.py"
    module.write_text(CRASHING, encoding="utf-8")
    db = tmp_path / "runs.db"
    died = subprocess.run([sys.executable, str(module), str(db)], capture_output=True, text=True)
    assert died.returncode == 9 and "paying o-7 (run crash-1, step 0)" in died.stderr
    spec = importlib.util.spec_from_file_location("crashing", module)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    caplog.set_level(logging.INFO, logger="portaflow.workflow")
    with Engine(db, workflows=[mod.order]) as rescuer:
        assert rescuer.work(drain=True) == 1
        assert rescuer.status("crash-1").output == "paid o-7"
        assert _lines(rescuer, "crash-1") == [("paying o-7", "0", {}), ("paid o-7", "1", {})]
    assert [r.getMessage() for r in caplog.records if r.name == "portaflow.workflow"] == [
        "paid o-7 (run crash-1, step 1)"
    ]


FLAKY: set[str] = set()


@step(retry=RetryPolicy(max_attempts=1))
def ship(order: str) -> str:
    if order in FLAKY:
        raise ConnectionError(f"carrier down for {order}")
    return f"shipped {order}"


@workflow(name="fulfil")
def fulfil(ctx: Context, order: str) -> str:
    try:
        done = ship(order)
    except StepFailed as e:
        ctx.log(f"shipping failed: {e.message}")  # the run's last record is this line, not the step
        raise
    return done


def test_retry_resumes_the_failed_step_when_a_log_line_came_after_it(tmp_path: Path) -> None:
    FLAKY.add("o-9")
    with Engine(tmp_path / "runs.db", workflows=[fulfil]) as engine:
        assert engine.start(fulfil, {"order": "o-9"}, run_id="f").status().status == "failed"
        FLAKY.clear()  # the carrier is back
        assert engine.retry("f").status().status == "completed"
        resumed = next(e for e in engine.history("f") if e.kind == "run_resumed")
        assert resumed.data["reset"] == ["0"]


RUN_FILE = """
from portaflow import Context, step, workflow


@step
def greet(name: str) -> str:
    return f"hello {name}"


@workflow
def hello(ctx: Context, name: str) -> str:
    ctx.log(f"greeting {name}", attempt=1)
    return greet(name)
"""


def test_portaflow_run_shows_each_line_as_it_is_written(tmp_path: Path) -> None:
    flow = tmp_path / "hello.py"
    flow.write_text(RUN_FILE, encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "portaflow",
            "run",
            str(flow),
            "--input",
            '{"name": "Ada"}',
            "--db",
            str(tmp_path / "r.db"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "  log: greeting Ada attempt=1\n" in done.stderr
