"""`Engine.deliver`: an event recorded as `signal` records it, without running anything here; with
`only_if_waiting`, recorded only while the run waits for it, so that an answer is delivered once however
many people (or clicks) send it. Also: the store's browse indexes, which `portaflow ui` lists runs by."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from portaflow import Context, NotWaiting, PortaflowError, step, workflow
from portaflow.local_engine import Engine
from portaflow.local_engine.store import _BROWSE_INDEXES


@step
def note(text: str) -> str:
    return text


@workflow
def approval(ctx: Context) -> dict:
    note("asked")
    decision = ctx.wait_for_event("approval", timeout="1h")
    return {"decision": decision}


@workflow
def two_questions(ctx: Context) -> list:
    return [ctx.wait_for_event("first"), ctx.wait_for_event("second")]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "runs.db")


def waiting_run(db: str, run_id: str = "r1") -> None:
    with Engine(db) as engine:
        engine.start(approval, run_id=run_id)
        assert engine.status(run_id).waiting_for == "approval"


def test_deliver_records_the_event_and_a_worker_continues_the_run(db: str) -> None:
    waiting_run(db)
    with Engine(db) as ui:
        ui.deliver("r1", "approval", {"approved": True}, only_if_waiting=True)
        assert ui.status("r1").status == "waiting"  # nothing ran here
        assert ui.pending_events("r1") == [("approval", {"approved": True})]
    with Engine(db) as worker:
        worker.work(drain=True)
        assert worker.status("r1").output == {"decision": {"approved": True}}
        assert worker.pending_events("r1") == []


def test_a_second_answer_to_the_same_wait_is_refused_and_not_recorded(db: str) -> None:
    waiting_run(db)
    with Engine(db) as ui:
        ui.deliver("r1", "approval", {"approved": True}, only_if_waiting=True)
        with pytest.raises(NotWaiting, match="delivered already"):
            ui.deliver("r1", "approval", {"approved": False}, only_if_waiting=True)
        assert ui.pending_events("r1") == [("approval", {"approved": True})]


def test_racing_answers_from_separate_processes_record_exactly_one(db: str) -> None:
    """Each sender has its own engine (its own connection), as two dashboards or two people would."""
    waiting_run(db)
    engines = [Engine(db) for _ in range(8)]
    start = threading.Barrier(len(engines))
    outcomes: list[str] = []

    def answer(engine: Engine, i: int) -> None:
        start.wait()
        try:
            engine.deliver("r1", "approval", {"by": i}, only_if_waiting=True)
            outcomes.append("delivered")
        except NotWaiting:
            outcomes.append("refused")

    threads = [threading.Thread(target=answer, args=(e, i)) for i, e in enumerate(engines)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in engines:
        e.close()
    assert sorted(outcomes) == ["delivered"] + ["refused"] * 7
    with Engine(db) as worker:
        assert len(worker.pending_events("r1")) == 1
        worker.work(drain=True)
        assert worker.status("r1").status == "completed"


def test_only_if_waiting_refuses_a_run_waiting_for_another_event(db: str) -> None:
    with Engine(db) as engine:
        engine.start(two_questions, run_id="q")
        with pytest.raises(NotWaiting, match="it waits for 'first'"):
            engine.deliver("q", "second", 2, only_if_waiting=True)
        assert engine.pending_events("q") == []
        engine.deliver("q", "second", 2)  # without only_if_waiting: buffered until it waits for it
        assert engine.signal("q", "first", 1).output == [1, 2]


def test_only_if_waiting_refuses_a_finished_run(db: str) -> None:
    waiting_run(db)
    with Engine(db) as engine:
        engine.signal("r1", "approval", "yes")
        with pytest.raises(NotWaiting, match="it is completed"):
            engine.deliver("r1", "approval", "again", only_if_waiting=True)
        with pytest.raises(PortaflowError, match="is completed; the event 'approval' was not recorded"):
            engine.deliver("r1", "approval", "again")


def test_only_if_waiting_refuses_a_wait_that_timed_out(db: str) -> None:
    waiting_run(db)
    with sqlite3.connect(db) as conn:  # the wait's timeout passed; no worker has looked since
        conn.execute("UPDATE runs SET wake_at = 1 WHERE run_id = 'r1'")
    with Engine(db) as engine, pytest.raises(NotWaiting, match="its wait timed out"):
        engine.deliver("r1", "approval", True, only_if_waiting=True)


def test_deliver_checks_the_event_and_its_payload(db: str) -> None:
    waiting_run(db)
    with Engine(db) as engine:
        with pytest.raises(PortaflowError, match="non-empty name"):
            engine.deliver("r1", "", 1)
        with pytest.raises(PortaflowError, match="must be JSON"):
            engine.deliver("r1", "approval", {1, 2})
        with pytest.raises(PortaflowError, match="no run 'nope'"):
            engine.deliver("nope", "approval", 1, only_if_waiting=True)


def test_a_database_made_before_the_browse_indexes_gets_them_when_opened(db: str) -> None:
    waiting_run(db)
    with sqlite3.connect(db) as conn:
        for name in _BROWSE_INDEXES:
            conn.execute(f"DROP INDEX {name}")
    Engine(db).close()
    with sqlite3.connect(db) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    assert set(_BROWSE_INDEXES) <= names
    assert version == 1  # an older portaflow still opens it: it ignores indexes it does not know
