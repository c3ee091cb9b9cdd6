"""portaflow's pytest fixtures, loaded by pytest in every session once portaflow is installed (entry point
``pytest11``), so they import nothing heavy: a backend and its emulator are imported when its fixture is used.

Local engine, with virtual time::

    def test_refund_waits_for_approval(portaflow_engine):
        run = portaflow_engine.start(support_agent, {"ticket": ticket})
        assert run.status().waiting_for == "approval"
        portaflow_engine.advance("3d")            # the approval times out, in milliseconds
        assert run.result()["outcome"] == "refund_declined"

A compile target's offline executor (any registered backend that has one)::

    def test_refund_on_aws(portaflow_offline):
        aws = portaflow_offline("aws", "app/refund.py", workflow="refund")   # compiled, deployed offline
        run = aws.start({"order_id": "o1", "amount": 250.0}, run_id="order-1")
        assert run.status == "waiting"
        aws.signal("order-1", "approval", {"approved": True})
        assert run.status == "completed"
        assert [c.key for c in run.calls] == ["order-1:0", "order-1:1"]

``portaflow_aws(path, workflow=None)`` is the same for ``"aws"``, returning the Step Functions harness
(``AwsHarness``: also ``run.signal(event, payload)`` and ``run.history()``). The AWS executor needs the test
extra: ``pip install 'portaflow[test]'`` (moto, boto3, jsonata-python).
``portaflow_azure(path, workflow=None)`` is the same for ``"azure"`` (``AzureExecutor``; its ``host``
holds each run's Durable Functions history); it needs the ``azure`` or ``test`` extra (azure-functions,
azure-functions-durable).
``portaflow_cloudflare(path, workflow=None)`` is the same for ``"cloudflare"`` (``CloudflareExecutor``: the
generated worker on Cloudflare's Workflows engine in workerd, its steps on the step host); it needs Node.js
20+ and npm (the pinned Node packages are installed on first use).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from portaflow.backends.azure.offline.executor import AzureExecutor
    from portaflow.backends.cloudflare.offline.executor import CloudflareExecutor
    from portaflow.local_engine.clock import VirtualClock
    from portaflow.local_engine.engine import Engine


@pytest.fixture
def portaflow_clock() -> VirtualClock:
    """The virtual clock behind ``portaflow_engine``: time moves only when a test or a timer moves it."""
    from portaflow.local_engine.clock import VirtualClock

    return VirtualClock()


@pytest.fixture
def portaflow_engine(tmp_path: Path, portaflow_clock: VirtualClock) -> Iterator[Engine]:
    """A local engine on a fresh database file, with virtual time: sleeps and backoffs are skipped."""
    from portaflow.local_engine.engine import Engine

    engine = Engine(tmp_path / "portaflow.db", clock=portaflow_clock)
    try:
        yield engine
    finally:
        engine.close()


@pytest.fixture
def portaflow_offline() -> Iterator[Callable[..., Any]]:
    """A factory: ``portaflow_offline(target, path, workflow=None)`` compiles the workflow for ``target``
    and returns its started offline executor; every executor is shut down when the test ends."""
    from portaflow import backends

    with ExitStack() as stack:

        def make(target: str, path: str | Path, workflow: str | None = None) -> Any:
            return stack.enter_context(backends.get(target).offline(Path(path), workflow))

        yield make


@pytest.fixture
def portaflow_aws() -> Iterator[Callable[..., Any]]:
    """A factory: ``portaflow_aws(path, workflow=None, timeout=60.0)`` returns a started ``AwsHarness``;
    every harness is shut down (executions driven to an end, moto stopped) when the test ends."""
    from portaflow.backends.aws.offline.harness import AwsHarness

    with ExitStack() as stack:

        def make(path: str | Path, workflow: str | None = None, timeout: float = 60.0) -> AwsHarness:
            return stack.enter_context(AwsHarness(path, workflow, timeout))

        yield make


@pytest.fixture
def portaflow_azure() -> Iterator[Callable[..., Any]]:
    """A factory: ``portaflow_azure(path, workflow=None)`` returns a started ``AzureExecutor``: the generated
    Functions app, replayed by the real Durable Functions SDK under an offline Durable Task host with virtual
    time (``executor.host`` is the host: histories, activity calls, timers). Shut down when the test ends."""
    from portaflow.backends.azure.offline.executor import AzureExecutor

    with ExitStack() as stack:

        def make(path: str | Path, workflow: str | None = None) -> AzureExecutor:
            return stack.enter_context(AzureExecutor(Path(path), workflow))

        yield make


@pytest.fixture
def portaflow_cloudflare() -> Iterator[Callable[..., Any]]:
    """A factory: ``portaflow_cloudflare(path, workflow=None)`` returns a started ``CloudflareExecutor``: the
    generated Workers project bundled and run by Cloudflare's own Workflows engine (Miniflare, one workerd per
    test session), its steps served by the step host, on virtual time. Shut down when the test ends."""
    from portaflow.backends.cloudflare.offline.executor import CloudflareExecutor

    with ExitStack() as stack:

        def make(path: str | Path, workflow: str | None = None) -> CloudflareExecutor:
            return stack.enter_context(CloudflareExecutor(Path(path), workflow))

        yield make
