"""The Cloudflare offline executor as a user's test drives it (the `portaflow_cloudflare` fixture): the
generated worker on Cloudflare's own Workflows engine in workerd, its steps on the step host, virtual time.
The conformance suite runs every scenario this way; these pin what a user reads off a run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from portaflow.compiler.diagnostics import CompileError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SAGA_INPUT = {"order_id": "A1", "amount": 5.0}


def test_an_approval_waits_then_the_day_long_sleep_passes_on_virtual_time(
    portaflow_cloudflare: Callable[..., Any],
) -> None:
    cf = portaflow_cloudflare(EXAMPLES / "approval.py", "refund")
    run = cf.start({"ticket": {"id": "T-2", "order_id": "B2002"}}, run_id="ap")
    assert (run.status, run.waiting_for) == ("waiting", "approval")
    before = cf.now
    cf.signal("ap", "approval", {"approved": True, "by": "dana"})
    assert run.status == "completed"
    assert run.output == {
        "outcome": "refunded",
        "receipt": {"refund_id": "re_ap:1", "order_id": "B2002", "amount": 480.0},
    }
    assert cf.now - before == pytest.approx(86400)  # the sleep, skipped to on the virtual clock
    assert run.sleeps == [86400.0]
    assert [(c.step, c.key, c.attempt) for c in run.calls] == [
        ("propose_refund", "ap:0", 1),
        ("issue_refund", "ap:1", 1),
        ("send_email", "ap:2", 1),
    ]


def test_a_wait_times_out_only_when_time_is_advanced_past_it(
    portaflow_cloudflare: Callable[..., Any],
) -> None:
    cf = portaflow_cloudflare(EXAMPLES / "approval.py", "refund")
    run = cf.start({"ticket": {"id": "T-3", "order_id": "B2002"}}, run_id="late")
    cf.advance("2d")
    assert (run.status, run.waiting_for) == ("waiting", "approval")
    cf.advance("1d")  # three days: the wait returns None, the refund is declined
    assert (run.status, run.output) == ("completed", {"outcome": "declined"})


def test_a_workflow_failure_is_the_python_exception_type_and_message(
    portaflow_cloudflare: Callable[..., Any], tmp_path: Path
) -> None:
    flow = tmp_path / "flow.py"
    flow.write_text(
        "from portaflow import Context, workflow\n\n\n@workflow\ndef wf(ctx: Context, xs: list) -> int:\n"
        "    return xs[3] // len(xs)\n",
        encoding="utf-8",
    )
    cf = portaflow_cloudflare(flow)
    assert cf.start({"xs": [1, 2]}).error == {"type": "IndexError", "message": "list index out of range"}
    assert cf.start({"xs": [1, 2, 3, 9]}).output == 2


def test_a_workflow_cloudflare_cannot_run_is_refused_before_anything_starts(tmp_path: Path) -> None:
    from portaflow.backends.cloudflare.offline.executor import CloudflareExecutor

    flow = tmp_path / "flow.py"
    flow.write_text(
        "from portaflow import Context, workflow\n\n\n@workflow\ndef wf(ctx: Context) -> object:\n"
        "    return ctx.wait_for_event('approval:manager')\n",
        encoding="utf-8",
    )
    with pytest.raises(CompileError, match="PFC061"):
        CloudflareExecutor(flow)


def test_two_executors_open_at_once_each_run_their_own_workflow(
    portaflow_cloudflare: Callable[..., Any],
) -> None:
    approval = portaflow_cloudflare(EXAMPLES / "approval.py", "refund")
    saga = portaflow_cloudflare(EXAMPLES / "refund_saga.py")
    waiting = approval.start({"ticket": {"id": "T-5", "order_id": "B2002"}}, run_id="r")
    assert (waiting.status, waiting.waiting_for) == ("waiting", "approval")
    assert saga.start(SAGA_INPUT, run_id="r").status == "completed"
    approval.signal("r", "approval", {"approved": False})
    assert (waiting.status, waiting.output) == ("completed", {"outcome": "declined"})


def test_events_go_through_the_workers_http_api_which_keeps_payloads_and_failures_apart(
    portaflow_cloudflare: Callable[..., Any], tmp_path: Path
) -> None:
    flow = tmp_path / "flow.py"
    flow.write_text(
        "from portaflow import Context, EventFailed, workflow\n\n\n@workflow\ndef wf(ctx: Context) -> list:\n"
        "    first = ctx.wait_for_event('go')\n    try:\n        ctx.wait_for_event('go')\n"
        "    except EventFailed as e:\n        return [first, e.type, e.message]\n    return [first]\n",
        encoding="utf-8",
    )
    cf = portaflow_cloudflare(flow, "wf")
    run = cf.start({}, run_id="api")
    lookalike = {"portaflow_event": 1, "error": {"type": "Rejected", "message": "not a failure"}}
    cf.signal("api", "go", lookalike)  # an object with the envelope's key is wrapped by the worker
    with pytest.raises(RuntimeError, match="Python class name"):  # the worker's 400, nothing sent
        cf.signal("api", "go", error=("not a name", "x"))
    cf.signal("api", "go", error=("Rejected", "over budget"))
    assert (run.status, run.output) == ("completed", [lookalike, "Rejected", "over budget"])
