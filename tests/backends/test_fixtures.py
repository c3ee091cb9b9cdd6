"""The pytest fixtures users get with portaflow: a backend's offline executor through the registry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("moto")

SAGA = Path(__file__).parents[2] / "examples" / "refund_saga.py"


def test_portaflow_offline_runs_a_workflow_on_a_targets_executor(
    portaflow_offline: Callable[..., Any],
) -> None:
    aws = portaflow_offline("aws", SAGA, workflow="refund_saga")
    run = aws.start({"order_id": "A1", "amount": 5.0}, run_id="r1")
    assert run.status == "completed" and run.output["status"] == "refunded"
    assert [c.key for c in run.calls][:1] == ["r1:0"]


def test_portaflow_aws_is_the_step_functions_harness(portaflow_aws: Callable[..., Any]) -> None:
    aws = portaflow_aws(SAGA, workflow="refund_saga")
    run = aws.start({"order_id": "A2", "amount": 5.0}, run_id="r2")
    assert run.status == "completed" and run.history()[0]["type"] == "ExecutionStarted"


def test_portaflow_azure_replays_the_app_with_the_durable_sdk(portaflow_azure: Callable[..., Any]) -> None:
    azure = portaflow_azure(SAGA, workflow="refund_saga")
    run = azure.start({"order_id": "A3", "amount": 5.0}, run_id="r3")
    assert run.status == "completed" and run.output["status"] == "refunded"
    history = azure.host.history("r3")
    assert (
        history[0]["EventType"] == 12 and history[1]["EventType"] == 0
    )  # OrchestratorStarted, ExecutionStarted
    assert [c.key for c in run.calls][:1] == ["r3:0"]
