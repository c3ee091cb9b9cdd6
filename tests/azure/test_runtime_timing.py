"""When things happen on Durable Functions, as the offline host's virtual clock shows it: a cancelled timer
longer than six days is a chain the cancellation does not reach, and the framework runs the next actions
only after it, so the runtime races events and step timeouts with timers of at most six days."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

SCENARIOS = Path(__file__).parents[1] / "conformance" / "scenarios"
HOUR = 3600.0


def test_a_step_after_an_event_that_beat_a_ten_day_timeout_runs_at_once(
    portaflow_azure: Callable[..., Any],
) -> None:
    ex = portaflow_azure(SCENARIOS / "s93_long_timeout_then_more_work.py")
    run = ex.start({}, run_id="r1")
    ex.advance("1h")
    ex.signal("r1", "approval", {"by": "ada"})
    [act] = [c for c in ex.host.calls("r1") if c.name == "pf_step_act"]
    assert act.started < 2 * HOUR  # not at day 6, when the first timer of a ten-day chain would fire
    ex.signal("r1", "approval", {"by": "bob"})
    assert run.status == "completed" and run.output == {"done": "approved by ada", "again": {"by": "bob"}}


def test_an_eight_day_event_timeout_fires_after_eight_days_not_at_the_first_timer_of_the_chain(
    portaflow_azure: Callable[..., Any],
) -> None:
    ex = portaflow_azure(SCENARIOS / "s93_long_timeout_then_more_work.py")
    run = ex.start({}, run_id="r2")
    ex.advance("1h")
    ex.signal("r2", "approval", {"by": "ada"})
    ex.advance("7d")  # six days are one timer of the chain: the wait goes on
    assert run.status == "waiting"
    ex.advance("1d")
    assert run.status == "completed" and run.output == {"done": "approved by ada", "again": None}
