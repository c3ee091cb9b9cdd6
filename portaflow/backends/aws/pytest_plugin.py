"""pytest fixture for testing your own workflows on the generated Step Functions state machine, offline.

pytest loads it automatically once portaflow is installed (the ``pytest11`` entry point ``portaflow_aws``
in pyproject.toml): no ``conftest.py`` line is needed. Use it as::

    def test_refund_on_aws(portaflow_aws):
        aws = portaflow_aws("app/refund.py", workflow="refund")   # compiles, deploys on moto
        run = aws.start({"order_id": "o1", "amount": 250.0}, run_id="order-1")
        assert run.status == "waiting"
        run.signal("approval", {"approved": True})               # through the events function
        assert run.status == "completed" and run.output == {...}
        assert [c.key for c in run.calls] == ["order-1:0", "order-1:1"]

Needs the test extra: ``pip install 'portaflow[test]'`` (moto, boto3, jsonata-python).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # the harness (moto, boto3) is imported when the fixture is first used, not by pytest
    from .harness import AwsHarness


@pytest.fixture
def portaflow_aws() -> Iterator[Callable[..., AwsHarness]]:
    """A factory: ``portaflow_aws(path, workflow=None)`` returns a started :class:`AwsHarness`; every
    harness is shut down (executions driven to an end, moto stopped) when the test ends."""
    from .harness import AwsHarness

    with ExitStack() as stack:

        def make(path: str | Path, workflow: str | None = None, timeout: float = 60.0) -> AwsHarness:
            return stack.enter_context(AwsHarness(path, workflow, timeout))

        yield make
