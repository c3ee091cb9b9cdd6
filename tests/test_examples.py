"""The examples are real workflows: each runs to the documented outcome on the local engine."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from portaflow.local_engine import Engine, load_target

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))


def wf(name: str) -> Any:
    return load_target(f"{EXAMPLES / name}.py:{name}")


def test_support_agent_refunds_a_small_order_then_follows_up_a_day_later(portaflow_engine: Engine) -> None:
    start = portaflow_engine.clock.now()
    ticket = {"id": "T-1", "text": "My lamp arrived broken, order A1001"}
    run = portaflow_engine.start(wf("support_agent"), {"ticket": ticket}, run_id="s1")
    out = run.result()
    assert out["outcome"] == "refunded" and out["approved_by"] == "policy"
    assert out["refund"]["amount"] == 42.0 and out["refund"]["idempotency_key"] == "s1:5"
    assert portaflow_engine.clock.now() - start == pytest.approx(86400, abs=1)
    tools = [e.name for e in run.history() if e.kind == "step_completed"]
    assert tools[:5] == ["call_llm", "lookup_order", "call_llm", "check_refund_policy", "call_llm"]


def test_support_agent_waits_for_approval_of_a_large_refund(portaflow_engine: Engine) -> None:
    ticket = {"id": "T-2", "text": "Chair broken, order B2002"}
    run = portaflow_engine.start(wf("support_agent"), {"ticket": ticket})
    assert run.status().waiting_for == "approval"
    run.signal("approval", {"approved": True, "by": "dana"})
    out = run.result()
    assert (out["outcome"], out["approved_by"], out["refund"]["amount"]) == ("refunded", "dana", 480.0)


def test_support_agent_declines_when_nobody_approves_within_three_days(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(wf("support_agent"), {"ticket": {"id": "T-3", "text": "order B2002"}})
    portaflow_engine.advance("3d")
    assert run.result() == {
        "ticket": "T-3",
        "outcome": "refund_declined",
        "reason": "no approval within 3 days",
    }


def test_support_agent_answers_when_the_policy_says_no(portaflow_engine: Engine) -> None:
    out = portaflow_engine.start(
        wf("support_agent"), {"ticket": {"id": "T-4", "text": "order C3003"}}
    ).result()
    assert out["outcome"] == "answered" and "not eligible" in out["answer"]


def test_refund_saga_completes_when_every_step_succeeds(portaflow_engine: Engine) -> None:
    out = portaflow_engine.start(wf("refund_saga"), {"order_id": "A1", "amount": 5.0}).result()
    assert out == {
        "order_id": "A1",
        "status": "refunded",
        "steps": ["reverse_charge", "restock", "notify_warehouse"],
    }


def test_refund_saga_compensates_in_reverse_order(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(
        wf("refund_saga"), {"order_id": "A1", "amount": 5.0, "fail_at": "notify_warehouse"}, run_id="sg"
    )
    out = run.result()
    assert out["status"] == "compensated" and out["failed_step"] == "notify_warehouse"
    assert out["undone"] == [{"undone": "rs_A1"}, {"undone": "rv_A1", "key": "sg:4"}]
    steps = [e.name for e in run.history() if e.kind in ("step_completed", "step_failed")]
    assert steps == ["reverse_charge", "restock", "notify_warehouse", "undo_restock", "undo_reverse_charge"]


def test_refund_saga_with_nothing_to_compensate(portaflow_engine: Engine) -> None:
    out = portaflow_engine.start(
        wf("refund_saga"), {"order_id": "A1", "amount": 5.0, "fail_at": "reverse_charge"}
    ).result()
    assert out["status"] == "compensated" and out["undone"] == []


def test_research_agent_fans_out_with_a_concurrency_limit(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(wf("research_agent"), {"question": "durable execution", "n_sources": 6})
    out = run.result()
    assert out["sources"] == 6 and out["summary"].startswith("durable execution: ")
    maps = [e for e in run.history() if e.kind == "call_started"]
    assert maps[0].name == "map:read_source" and maps[0].data["max_concurrency"] == 3


def test_approval_refunds_once_approved_then_follows_up_a_day_later(portaflow_engine: Engine) -> None:
    refund = load_target(f"{EXAMPLES / 'approval.py'}:refund")
    run = portaflow_engine.start(refund, {"ticket": {"id": "T-2", "order_id": "B2002"}}, run_id="ap")
    assert run.status().waiting_for == "approval"
    start = portaflow_engine.clock.now()
    run.signal("approval", {"approved": True, "by": "dana"})  # then the day's sleep, skipped
    assert run.result() == {
        "outcome": "refunded",
        "receipt": {"refund_id": "re_ap:1", "order_id": "B2002", "amount": 480.0},
    }
    assert portaflow_engine.clock.now() - start == pytest.approx(86400, abs=1)
    assert [e.name for e in run.history() if e.kind == "step_completed"][-1] == "send_email"


def test_approval_declines_a_rejected_refund(portaflow_engine: Engine) -> None:
    refund = load_target(f"{EXAMPLES / 'approval.py'}:refund")
    run = portaflow_engine.start(refund, {"ticket": {"id": "T-4", "order_id": "B2002"}})
    run.signal("approval", {"approved": False})
    assert run.result() == {"outcome": "declined"}


def test_weekly_report_runs_every_monday_at_nine_in_paris(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from portaflow.local_engine import VirtualClock

    report = wf("weekly_report")
    sunday = datetime(2026, 12, 6, 12, 0, tzinfo=UTC).timestamp()
    with Engine(tmp_path / "runs.db", clock=VirtualClock(sunday), workflows=[report]) as engine:
        engine.work(drain=True)  # the worker sees the schedule on Sunday
        engine.advance("20h")  # Monday 8:00 UTC, 9:00 in Paris
        (run,) = engine.list()
        assert run.run_id == "weekly_report@2026-12-07T08:00:00Z" and run.status == "completed"
        assert run.output == f"sent report for the week of 2026-12-07 ({run.run_id}:1)"


def test_research_team_continues_with_the_sources_a_human_approved(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(
        wf("research_team"), {"question": "durable execution", "n_sources": 3}, run_id="rt"
    )
    assert run.status().waiting_for_all == ("approve:0", "approve:1", "approve:2")  # every sub-agent waits
    run.signal("approve:2", {"ok": True, "by": "ann"})
    assert run.status().waiting_for_all == ("approve:0", "approve:1")  # the others still wait
    portaflow_engine.signal("rt", "approve:0", error=("Rejected", "paywalled"))
    portaflow_engine.advance("1d")  # nobody answers for source 1
    out = run.result()
    assert out["approved"] == 1 and out["summary"].startswith("durable execution: 1 sources read")
    assert out["rejected"] == [
        {"source": "durable execution - overview", "why": "paywalled"},
        {"source": "durable execution - history", "why": "no answer within a day"},
    ]
    reads = [e.key for e in run.history() if e.kind == "step_completed" and e.name == "read_source"]
    assert sorted(reads) == ["1.0.0", "1.1.0", "1.2.0"]  # item i of the map at 1 is the child call 1.i


def test_research_team_without_approvals_writes_no_summary(portaflow_engine: Engine) -> None:
    run = portaflow_engine.start(wf("research_team"), {"question": "q", "n_sources": 2})
    portaflow_engine.advance("1d")
    out = run.result()
    assert out["approved"] == 0 and out["summary"] == "no source was approved"
    assert "write_summary" not in {e.name for e in run.history()}
