"""Events delivered as failures, timeouts that raise, and labelled waits on the local engine
(docs/semantics.md, "Events")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portaflow import Engine, EventFailed, PortaflowError, VirtualClock, WorkflowError
from portaflow.local_engine.store import failure_text
from tests.event_workflows import flows


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    with Engine(tmp_path / "runs.db", clock=VirtualClock()) as e:
        yield e


def test_a_failure_naming_a_class_of_the_workflows_module_is_caught_by_that_class(engine: Engine) -> None:
    engine.start(flows.approval, run_id="r1")
    st = engine.signal("r1", "approval", error=("Rejected", "over budget"))
    assert st.output == {
        "caught": "Rejected",
        "type": "Rejected",
        "message": "over budget",
        "event": "approval",
    }


def test_a_class_of_an_imported_project_module_is_found_too(engine: Engine) -> None:
    engine.start(flows.approval, run_id="r1")
    st = engine.signal("r1", "approval", error=("PolicyViolation", "no refunds on sale items"))
    assert st.output == {"caught": "PolicyViolation", "message": "no refunds on sale items"}


def test_a_builtin_exception_name_is_caught_by_its_base_classes(engine: Engine) -> None:
    engine.start(flows.approval, run_id="r1")
    st = engine.signal("r1", "approval", error=("KeyError", "no such order"))
    assert st.output == {"caught": "LookupError", "class": "KeyError", "message": "no such order"}


def test_an_unknown_type_is_only_an_event_failed_named_after_it(engine: Engine) -> None:
    engine.start(flows.approval, run_id="r1")
    st = engine.signal("r1", "approval", error=("CardDeclined", "insufficient funds"))
    assert st.output == {"caught": "EventFailed", "class": "CardDeclined", "type": "CardDeclined"}


def test_an_uncaught_failure_fails_the_run_with_its_type_and_message(engine: Engine) -> None:
    engine.start(flows.uncaught, run_id="r1")
    st = engine.signal("r1", "approval", error=("Rejected", "no"))
    assert st.status == "failed" and {k: st.error[k] for k in ("type", "message")} == {  # type: ignore[index]
        "type": "Rejected",
        "message": "no",
    }


def test_the_failure_is_recorded_and_a_replay_raises_it_again(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    clock = VirtualClock()
    with Engine(db, clock=clock) as first:
        first.start(flows.review_then_sleep, run_id="r1")
        first.signal("r1", "review", error=("Rejected", "typos"), max_wait="0s")
        kinds = [e.kind for e in first.history("r1")]
        assert kinds[1:4] == ["wait_started", "event_failed", "timer_started"]
        failed = next(e for e in first.history("r1") if e.kind == "event_failed")
        assert failed.data["error"] == {"type": "Rejected", "message": "typos"}
    with Engine(db, clock=clock) as second:  # another process: it replays the log from the start
        clock.advance(3600)
        assert second.execute("r1").output == "rejected: typos"


def test_failures_and_payloads_are_buffered_together_in_the_order_received(engine: Engine) -> None:
    engine.start(flows.review_then_sleep, run_id="r1")  # waits for "review": "approval" events stay buffered
    engine.signal("r1", "approval", error=("Rejected", "first"))
    engine.signal("r1", "approval", {"ok": True})
    (name, failure), payload = engine.pending_events("r1")
    assert name == "approval" and isinstance(failure, EventFailed) and failure.message == "first"
    assert payload == ("approval", {"ok": True})


def test_a_payload_can_never_be_read_as_a_failure(engine: Engine) -> None:
    engine.start(flows.approval, run_id="r1")
    lookalike = {"error": {"type": "Rejected", "message": "x"}}
    assert engine.signal("r1", "approval", lookalike).output == {"payload": lookalike}
    assert failure_text("approval", ("Rejected", "x")).startswith("!")  # compact JSON text never does


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (("not a name", "x"), "Python class name"),
        (("StepFailed", "x"), "portaflow's own StepFailed"),
        (("EventTimeout", "x"), "portaflow's own EventTimeout"),
        ("Rejected:x", r"\(type, message\) pair"),
    ],
)
def test_a_bad_error_is_refused_and_nothing_recorded(engine: Engine, error: object, says: str) -> None:
    engine.start(flows.approval, run_id="r1")
    with pytest.raises(PortaflowError, match=says):
        engine.signal("r1", "approval", error=error)  # type: ignore[arg-type]
    assert engine.pending_events("r1") == [] and engine.status("r1").status == "waiting"


def test_a_payload_and_an_error_exclude_each_other(engine: Engine) -> None:
    engine.start(flows.approval, run_id="r1")
    with pytest.raises(PortaflowError, match="a payload or an error, not both"):
        engine.signal("r1", "approval", {"ok": True}, error=("Rejected", "x"))


def test_raise_on_timeout_raises_event_timeout_and_a_null_payload_is_still_returned(engine: Engine) -> None:
    engine.start(flows.deadline, run_id="r1")
    engine.signal("r1", "ping", None)
    engine.advance("2h")
    assert engine.status("r1").output == {
        "first": None,
        "error": "event 'ping' did not arrive within 2h",
        "event": "ping",
        "timeout": 7200.0,
    }


def test_raise_on_timeout_without_a_timeout_is_a_workflow_error(engine: Engine) -> None:
    st = engine.start(flows.timeout_needs_a_timeout, run_id="r1").status()
    assert st.status == "failed" and st.error is not None and st.error["type"] == "WorkflowError"
    assert "needs a timeout" in st.error["message"]


def test_a_labelled_wait_shows_its_label_in_status_list_and_history(engine: Engine) -> None:
    run = engine.start(flows.approval, run_id="r1")
    st = run.status()
    assert (st.waiting_for, st.wait_label) == ("approval", "manager sign-off")
    assert st.to_json()["wait_label"] == "manager sign-off"
    assert [r.wait_label for r in engine.list("waiting")] == ["manager sign-off"]
    started = next(e for e in run.history() if e.kind == "wait_started")
    assert started.data["label"] == "manager sign-off"
    engine.signal("r1", "approval", {"ok": True})
    assert run.status().wait_label is None and "wait_label" not in run.status().to_json()


def test_workflow_error_is_raised_for_a_label_that_is_not_a_string() -> None:
    from portaflow import Context

    with pytest.raises(WorkflowError, match="label must be a non-empty string"):
        Context("r").wait_for_event("x", label="")


# ----- the command line ----------------------------------------------------------------------------
FLOWS = Path(__file__).parent / "event_workflows" / "flows.py"


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PORTAFLOW_DB": str(db)}
    return subprocess.run(
        [sys.executable, "-m", "portaflow", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_signal_error_delivers_a_failure_and_status_shows_the_waits_label(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    run = _cli(db, "run", f"{FLOWS}:approval", "--run-id", "a1")
    assert run.returncode == 3 and "waiting for event 'approval' (manager sign-off)" in run.stderr
    assert json.loads(run.stdout.splitlines()[-1])["wait_label"] == "manager sign-off"
    assert "for event 'approval' (manager sign-off)" in _cli(db, "status", "a1").stdout
    assert "(manager sign-off)" in _cli(db, "list").stdout
    done = _cli(db, "signal", "a1", "approval", "--error", "Rejected: over budget: twice")
    assert done.returncode == 0, done.stderr
    assert "event 'approval' arrived as a failure: Rejected: over budget: twice" in done.stderr
    assert json.loads(done.stdout.splitlines()[-1])["output"]["message"] == "over budget: twice"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--error", "no colon"], "--error wants TYPE:MESSAGE"),
        (["--error", "two words:x"], "Python class name"),
        (["--error", "StepFailed:x"], "portaflow's own StepFailed"),
        (["--error", "Rejected:x", "--data", "1"], "exclude each other"),
    ],
)
def test_signal_error_refuses_bad_input_in_one_line(tmp_path: Path, args: list[str], says: str) -> None:
    db = tmp_path / "cli.db"
    assert _cli(db, "run", f"{FLOWS}:approval", "--run-id", "a1").returncode == 3
    proc = _cli(db, "signal", "a1", "approval", *args)
    assert proc.returncode == 2 and says in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert _cli(db, "status", "a1").stdout.startswith("a1  approval  waiting")
