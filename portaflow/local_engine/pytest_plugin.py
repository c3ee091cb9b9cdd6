"""pytest fixtures for testing your own workflows on the local engine with virtual time.

Installed with portaflow (entry point ``pytest11``), so in any test::

    def test_refund_waits_for_approval(portaflow_engine):
        run = portaflow_engine.start(support_agent, {"ticket": ticket})
        assert run.status().waiting_for == "approval"
        portaflow_engine.advance("3d")            # the approval times out, in milliseconds
        assert run.result()["outcome"] == "refund_declined"
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from portaflow.local_engine.clock import VirtualClock
from portaflow.local_engine.engine import Engine


@pytest.fixture
def portaflow_clock() -> VirtualClock:
    """The virtual clock behind ``portaflow_engine``: time moves only when a test or a timer moves it."""
    return VirtualClock()


@pytest.fixture
def portaflow_engine(tmp_path: Path, portaflow_clock: VirtualClock) -> Iterator[Engine]:
    """A local engine on a fresh database file, with virtual time: sleeps and backoffs are skipped."""
    engine = Engine(tmp_path / "portaflow.db", clock=portaflow_clock)
    try:
        yield engine
    finally:
        engine.close()
