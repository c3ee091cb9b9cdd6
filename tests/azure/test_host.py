"""The offline Durable Task host runs function apps on the real SDK as the framework does, on virtual time.

(tests/azure has no __init__.py on purpose: a test package named ``azure`` would shadow azure-functions.)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from portaflow.backends.azure.offline import host as h
from portaflow.backends.azure.offline.app import AppError
from portaflow.backends.azure.offline.host import DurableHost, HostError, NondeterminismError

APPS = Path(__file__).parent / "apps"  # hand-written apps following the generated apps' contract
DAY = 86400.0
Hosts = Callable[..., DurableHost]


@pytest.fixture
def hosts() -> Iterator[Callable[..., DurableHost]]:
    """Open a host on an app folder of apps/; every host opened is closed after the test."""
    opened: list[DurableHost] = []

    def open_(app: str, **options: Any) -> DurableHost:
        opened.append(DurableHost(APPS / app, **options))
        return opened[-1]

    yield open_
    for host in opened:
        host.close()


def kinds(events: list[dict]) -> list[int]:
    return [e["EventType"] for e in events]


# ------------------------------------------------------------------------------------------- activities
def test_sequential_activities_run_in_order_and_the_history_is_the_frameworks(hosts: Hosts) -> None:
    host = hosts("basic")
    host.start("sequence", {"x": 3}, "i1")
    st = host.status("i1")
    assert (st.runtime_status, st.output, st.failure) == ("Completed", "6 then 12", None)
    calls = host.calls("i1")
    assert [(c.name, c.input, c.result, c.seq, c.attempt) for c in calls] == [
        ("double", 3, 6, 0, 1),
        ("double", 6, 12, 1, 1),
        ("describe", {"a": 6, "b": 12}, "6 then 12", 2, 1),
    ]
    events = host.history("i1")
    assert kinds(events[:2]) == [h.ORCHESTRATOR_STARTED, h.EXECUTION_STARTED]
    assert events[1]["Name"] == "sequence" and events[1]["Input"] == '{"x": 3}' and "Version" in events[1]
    scheduled = [e["EventId"] for e in events if e["EventType"] == h.TASK_SCHEDULED]
    completed = [(e["TaskScheduledId"], e["Result"]) for e in events if e["EventType"] == h.TASK_COMPLETED]
    assert scheduled == [0, 1, 2]
    assert completed == [(0, "6"), (1, "12"), (2, '"6 then 12"')]  # results are JSON text, as on Azure
    assert kinds(events[-2:]) == [h.EXECUTION_COMPLETED, h.ORCHESTRATOR_COMPLETED]
    assert host.episodes == 4  # start, then one per completion


def test_an_activity_that_raises_is_a_task_failed_the_orchestrator_can_catch(hosts: Hosts) -> None:
    host = hosts("basic")
    host.start("catcher", None, "c1")
    st = host.status("c1")
    assert st.runtime_status == "Completed"
    # the SDK raises Exception(f"{Reason} \n {Details}") into the orchestrator
    reason, details = st.output["caught"].split(" \n ", 1)
    assert reason == "card declined"
    assert '"type": "ValueError"' in details
    assert st.output["recovered"] == 42
    failed = [e for e in host.history("c1") if e["EventType"] == h.TASK_FAILED]
    assert [(e["TaskScheduledId"], e["Reason"]) for e in failed] == [(0, "card declined")]
    explode = host.calls("c1")[0]
    assert explode.error == {"type": "ValueError", "message": "card declined"} and explode.result is None


def test_an_activity_result_json_cannot_carry_fails_the_task(hosts: Hosts) -> None:
    host = hosts("basic")
    host.start("returns_a_set", None, "s1")
    caught = host.status("s1").output["caught"]
    assert "activity trigger output must be json serializable" in caught


def test_an_orchestrator_that_raises_fails_the_instance_with_its_message(hosts: Hosts) -> None:
    host = hosts("basic")
    host.start("crasher", None, "x1")
    st = host.status("x1")
    assert (st.runtime_status, st.failure) == ("Failed", "the order is gone")
    assert st.output == "Orchestrator function 'crasher' failed: the order is gone"
    completed = host.history("x1")[-2]
    assert completed["EventType"] == h.EXECUTION_COMPLETED and completed["OrchestrationStatus"] == "Failed"
    host.raise_event("x1", "late", 1)  # a finished instance ignores events
    assert host.status("x1").runtime_status == "Failed"


# ------------------------------------------------------------------------------------------------ timers
def test_a_timer_is_virtual_instant_and_recorded(hosts: Hosts) -> None:
    host = hosts("basic")
    begin = time.monotonic()
    host.start("sleeper", {"seconds": 3600}, "t1")
    assert time.monotonic() - begin < 5
    st = host.status("t1")
    assert st.output == {"slept": 3600.0}  # current_utc_datetime moved with the clock
    assert host.now == pytest.approx(3600.0)
    [timer] = host.timers_of("t1")
    assert (timer.kind, timer.within, timer.seconds, timer.long_timer) == ("timer", "timer", 3600.0, None)
    assert timer.fired == pytest.approx(3600.0)
    events = host.history("t1")
    created = next(e for e in events if e["EventType"] == h.TIMER_CREATED)
    fired = next(e for e in events if e["EventType"] == h.TIMER_FIRED)
    assert created["EventId"] == fired["TimerId"] == 0 and created["FireAt"] == fired["FireAt"]
    assert fired["FireAt"] == "2026-01-01T01:00:00.000000Z"


def test_a_timer_over_six_days_is_split_by_the_sdk_into_chained_timers(hosts: Hosts) -> None:
    host = hosts("basic")
    host.start("sleeper", {"seconds": 10 * DAY}, "t2")
    assert host.status("t2").output == {"slept": 10 * DAY}
    timers = host.timers_of("t2")
    # 10 days: more than 6 left -> a 3-day segment, 7 left -> 3 days, 4 left -> the rest
    assert [t.seconds for t in timers] == [3 * DAY, 3 * DAY, 4 * DAY]
    assert [t.within for t in timers] == ["all", "timer", "timer"]  # the first one is the SDK's WhenAll
    assert [t.long_timer for t in timers] == [0, 0, 0]
    assert [t.seq for t in timers] == [0, 1, 2]
    assert host.now == pytest.approx(10 * DAY)


# ------------------------------------------------------------------------------------------------ events
def test_two_events_of_one_name_are_delivered_in_order_once_each(hosts: Hosts) -> None:
    host = hosts("events")
    host.start("approval", None, "e1")
    assert host.status("e1").waiting_for == ["decision"]
    host.raise_event("e1", "decision", "first")
    assert host.status("e1").runtime_status == "Running"
    host.raise_event("e1", "decision", "second")
    assert host.status("e1").output == ["first", "second"]
    raised = [e["Input"] for e in host.history("e1") if e["EventType"] == h.EVENT_RAISED]
    assert raised == ['"first"', '"second"']


def test_events_raised_before_their_wait_are_buffered_and_delivered_in_arrival_order(hosts: Hosts) -> None:
    host = hosts("events")
    host.start("ordered", None, "e2")
    host.raise_event("e2", "b", 1)
    host.raise_event("e2", "b", 2)
    # no wait for "b" yet: nothing reached the history
    assert [e for e in host.history("e2") if e["EventType"] == h.EVENT_RAISED] == []
    assert host.status("e2").waiting_for == ["a"]
    host.raise_event("e2", "a", "A")
    assert host.status("e2").output == ["A", 1, 2]
    raised = [(e["Name"], e["Input"]) for e in host.history("e2") if e["EventType"] == h.EVENT_RAISED]
    assert raised == [("a", '"A"'), ("b", "1"), ("b", "2")]


def test_a_wait_with_a_timeout_times_out_only_when_time_is_advanced(hosts: Hosts) -> None:
    host = hosts("events")
    host.start("approval_with_timeout", {"hours": 1}, "w1")
    st = host.status("w1")
    assert (st.runtime_status, st.waiting_for, host.now) == ("Running", ["decision"], 0.0)
    host.advance("30m")
    st = host.status("w1")
    assert (st.runtime_status, st.next_timer) == ("Running", 3600.0)
    host.advance("31m")
    st = host.status("w1")
    # advance moves the clock at once (as the local engine's VirtualClock): the timer fired on the way runs
    # its episode at the new time; the TimerFired keeps its own instant
    assert st.output == {"decision": None, "timed_out_at": "2026-01-01T01:01:00+00:00"}
    fired = next(e for e in host.history("w1") if e["EventType"] == h.TIMER_FIRED)
    assert fired["FireAt"] == "2026-01-01T01:00:00.000000Z"
    [timer] = host.timers_of("w1")
    assert (timer.within, timer.seconds, timer.fired) == ("any", 3600.0, 3660.0)  # reached the history
    assert host.now == pytest.approx(61 * 60.0)


def test_an_event_that_wins_the_race_cancels_its_timeout(hosts: Hosts) -> None:
    host = hosts("events")
    host.start("approval_with_timeout", {"hours": 1}, "w2")
    host.advance("10m")
    host.raise_event("w2", "decision", {"ok": True})
    assert host.status("w2").output == {"decision": {"ok": True}}
    [timer] = host.timers_of("w2")
    assert timer.cancelled and timer.fired is None
    host.advance("2h")
    assert not [e for e in host.history("w2") if e["EventType"] == h.TIMER_FIRED]


def test_a_sleep_is_skipped_but_the_timeout_of_the_wait_after_it_is_not(hosts: Hosts) -> None:
    host = hosts("events")
    host.start("sleep_then_wait", None, "w3")
    assert host.status("w3").waiting_for == ["go"] and host.now == pytest.approx(2 * DAY)
    host.advance("23h")
    assert host.status("w3").runtime_status == "Running"
    host.advance("1h")
    assert host.status("w3").output == "timeout"
    assert [t.seconds for t in host.timers_of("w3")] == [2 * DAY, DAY]


# -------------------------------------------------------------------------------------- fan-out, races
def test_task_all_schedules_every_child_at_once_and_returns_results_in_order(hosts: Hosts) -> None:
    host = hosts("basic")
    items = [{"x": 1, "sleep": 0.05}, {"x": 2, "sleep": 0.0}, {"x": 3, "sleep": 0.02}]
    host.start("fan_out", {"items": items}, "f1")
    assert host.status("f1").output == {"results": [2, 4, 6], "total": 24}
    events = host.history("f1")
    first_completion = kinds(events).index(h.TASK_COMPLETED)
    scheduled_first = [e["EventId"] for e in events[:first_completion] if e["EventType"] == h.TASK_SCHEDULED]
    assert scheduled_first == [0, 1, 2]
    # the children ran side by side: each completes at its start plus its own duration, quickest first
    assert [e["TaskScheduledId"] for e in events if e["EventType"] == h.TASK_COMPLETED] == [1, 2, 0, 3]
    slow, quick, mid, total = host.calls("f1")
    assert slow.started == quick.started == mid.started == 0.0
    assert total.started == pytest.approx(slow.finished, abs=1e-6)


def test_after_a_failed_child_the_next_action_waits_for_the_whole_task_all(hosts: Hosts) -> None:
    host = hosts("basic")
    # Python resumes at the first failure; the .NET side awaits the WhenAll, so the next activity is
    # scheduled only once the one-hour timer beside the failed child has fired
    host.start("fan_out_failing", None, "f2")
    assert host.status("f2").output == {"after": 10}
    after = host.calls("f2")[-1]
    assert (after.name, after.started) == ("double", 3600.0)


def test_a_timer_shorter_than_the_activity_it_races_wins(hosts: Hosts) -> None:
    host = hosts("events")
    host.start("step_timeout", {"nap": 0.3, "limit": 0.05}, "r1")
    assert host.status("r1").output == {"result": "timed out"}
    [nap] = host.calls("r1")
    assert nap.wall >= 0.3 and nap.result == "napped 0.3"  # it ran to its end all the same


def test_an_activity_quicker_than_its_timeout_wins_and_the_timer_is_cancelled(hosts: Hosts) -> None:
    host = hosts("events")
    host.start("step_timeout", {"nap": 0.0, "limit": 60}, "r2")
    assert host.status("r2").output == {"result": "napped 0.0"}
    [timer] = host.timers_of("r2")
    assert timer.cancelled and timer.fired is None
    assert host.now < 1


# ------------------------------------------------------------------------------------------------ retries
def test_call_activity_with_retry_waits_the_interval_between_attempts(hosts: Hosts) -> None:
    host = hosts("basic")
    host.start("with_retry", {"key": "k1", "succeed_on": 2}, "y1")
    assert host.status("y1").output == {"result": "ok on attempt 2"}
    assert [(c.attempt, c.error is None) for c in host.calls("y1")] == [(1, False), (2, True)]
    assert [(t.kind, t.seconds) for t in host.timers_of("y1")] == [("retry", 5.0)]
    assert host.calls("y1")[1].started == pytest.approx(5.0, abs=0.1)


def test_the_last_failed_attempt_surfaces_after_one_more_timer(hosts: Hosts) -> None:
    host = hosts("basic")
    host.start("with_retry", {"key": "k2", "succeed_on": 99}, "y2")
    assert host.status("y2").output == {"failed": "attempt 3 failed"}
    assert [c.attempt for c in host.calls("y2")] == [1, 2, 3]
    assert [t.seconds for t in host.timers_of("y2")] == [5.0, 5.0, 5.0]
    events = host.history("y2")
    ids = [e.get("EventId") if e["EventType"] != h.TIMER_FIRED else e["TimerId"] for e in events]
    wanted = {h.TASK_SCHEDULED, h.TIMER_CREATED, h.TIMER_FIRED}
    sequence = [i for e, i in zip(events, ids, strict=True) if e["EventType"] in wanted]
    # attempt 0, its retry timer 1 (created, fired), attempt 2, timer 3, attempt 4, and the last timer 5
    assert sequence == [0, 1, 1, 2, 3, 3, 4, 5, 5]


# ------------------------------------------------------------------------------------------------- replay
def test_an_orchestrator_whose_actions_change_between_replays_fails_loudly(hosts: Hosts) -> None:
    host = hosts("replay")
    with pytest.raises(NondeterminismError) as err:
        host.start("drifting", None, "n1")
    message = str(err.value)
    assert "CallActivity 'charge' with input 1" in message and "CallActivity 'refund' with input 1" in message
    st = host.status("n1")
    assert st.runtime_status == "Failed" and "not deterministic" in str(st.failure)


def test_new_uuid_and_current_utc_datetime_are_stable_across_replays(hosts: Hosts) -> None:
    host = hosts("replay")
    host.start("stable", None, "u1")
    st = host.status("u1")
    first, second = st.output["first"], st.output["second"]
    assert first["ids"] == second["ids"] and len(set(first["ids"])) == 2
    assert first["started"] == second["started"] == "2026-01-01T00:00:00+00:00"
    assert first["instance"] == "u1"
    assert st.custom_status == {"phase": "done"}


def test_a_sub_orchestration_runs_as_a_child_instance(hosts: Hosts) -> None:
    host = hosts("replay")
    host.start("parent", None, "p1")
    child = host.status("child-1")
    assert child.runtime_status == "Completed"
    assert host.status("p1").output == {"child": child.output}
    kinds_ = kinds(host.history("p1"))
    assert h.SUB_CREATED in kinds_ and h.SUB_COMPLETED in kinds_


def test_each_host_imports_the_app_afresh_and_restores_the_interpreter_on_close() -> None:
    path_before = list(sys.path)
    for _ in range(2):
        with DurableHost(APPS / "replay") as host:
            host.start("stable", None, "s")
            host.start("parent", None, "p")
            assert "helpers" in sys.modules
        assert "helpers" not in sys.modules and "function_app" not in sys.modules
        assert sys.path == path_before
    other = type(sys)("helpers")  # another app's module of the same name is set aside, then put back
    sys.modules["helpers"] = other
    try:
        with DurableHost(APPS / "replay") as host:
            host.start("stable", None, "s")
            assert sys.modules["helpers"] is not other
        assert sys.modules["helpers"] is other
    finally:
        del sys.modules["helpers"]
    with DurableHost(APPS / "replay") as host:  # module state starts empty: the first charge returns 1
        with pytest.raises(NondeterminismError):
            host.start("drifting", None, "n")
        assert host.calls("n")[0].result == 1


# ------------------------------------------------------------------------------------------------- limits
def test_an_orchestration_blocked_on_nothing_it_can_get_is_an_error(hosts: Hosts) -> None:
    host = hosts("events")
    with pytest.raises(HostError, match="neither progresses nor waits"):
        host.start("blocked_on_a_cancelled_timer", None, "b1")


def test_a_call_runs_a_bounded_number_of_episodes() -> None:
    with DurableHost(APPS / "events", max_episodes=50) as host, pytest.raises(HostError, match="than 50 ep"):
        host.start("forever", None, "loop")


def test_actions_the_host_does_not_execute_are_refused_by_name(hosts: Hosts) -> None:
    host = hosts("events")
    with pytest.raises(HostError, match="ContinueAsNew"):
        host.start("restarts", None, "c")
    assert host.status("c").runtime_status == "Failed"


def test_unknown_names_are_clear_errors(hosts: Hosts) -> None:
    host = hosts("events")
    with pytest.raises(AppError, match=r"no orchestrator named 'nope'.*approval"):
        host.start("nope")
    with pytest.raises(HostError, match="no instance 'ghost'"):
        host.raise_event("ghost", "x")


def test_the_clock_starts_where_the_host_is_told() -> None:
    from datetime import UTC, datetime

    start = datetime(2030, 6, 1, 12, tzinfo=UTC)
    with DurableHost(APPS / "basic", start=start) as host:
        host.start("sleeper", {"seconds": 60}, "t")
        assert host.utcnow() == start + timedelta(seconds=60)
        assert host.status("t").created == start


def test_a_parent_racing_a_child_that_waits_for_an_event_does_not_skip_its_deadline(hosts: Hosts) -> None:
    host = hosts("replay")
    host.start("parent_with_deadline", None, "p2")
    assert host.status("asked").waiting_for == ["answer"]
    assert host.status("p2").runtime_status == "Running" and host.now == 0.0
    host.raise_event("asked", "answer", 42)
    assert host.status("p2").output == {"answer": 42}


def test_a_wait_with_a_timeout_over_six_days_still_times_out_only_on_advance(hosts: Hosts) -> None:
    # the SDK splits the 7-day timeout into a 3-day segment inside the race and a top-level 4-day segment
    # appended when the first fires: the instance still waits for its event, so nothing is skipped
    host = hosts("events")
    host.start("approval_with_timeout", {"hours": 7 * 24}, "w4")
    host.advance("4d")
    st = host.status("w4")
    assert (st.runtime_status, st.waiting_for, host.now) == ("Running", ["decision"], 4 * DAY)
    assert [(t.seconds, t.fired) for t in host.timers_of("w4")] == [(3 * DAY, 4 * DAY), (3 * DAY, None)]
    host.advance("3d")
    assert host.status("w4").output["decision"] is None
    assert host.now == 7 * DAY


def test_cancelling_a_timeout_over_six_days_does_not_cancel_its_segments(hosts: Hosts) -> None:
    # SDK 1.7.0: LongTimerTask.cancel() flags the long timer, not the 3-day segment it scheduled, so the
    # segment fires, the SDK chains the next one as a top-level action, and the .NET side, which awaits
    # top-level actions in order, schedules what follows it only once that segment fired too: the activity
    # after a 5-day sleep starts at day 7, not at day 5 + 1h. (A runtime wanting exact long timeouts must
    # chain its own timers of at most six days.)
    host = hosts("events")
    host.start("long_timeout_then_sleep", None, "L")
    host.advance("1h")
    host.raise_event("L", "decision", "yes")
    [nap] = host.calls("L")
    assert nap.started == pytest.approx(7 * DAY, abs=1e-3)
    segment, sleep, chained = host.timers_of("L")
    assert (segment.long_timer, segment.cancelled, segment.fired) == (0, False, 3 * DAY)
    assert (sleep.seconds, chained.long_timer, chained.fire_at) == (5 * DAY, 0, 7 * DAY)


def test_with_early_events_as_on_azure_the_sdk_keeps_only_the_last_and_delivers_it_to_every_wait(
    hosts: Hosts,
) -> None:
    # Azure appends an EventRaised when the event arrives; SDK 1.7.0 defers one that no wait is open for,
    # keeping the latest per name, and completes every later wait of that name with it
    host = hosts("events", early_events="azure")
    host.start("ordered", None, "e3")
    with pytest.warns(UserWarning, match="Potential duplicate Task completion"):
        host.raise_event("e3", "b", 1)
    host.raise_event("e3", "b", 2)
    raised = [e["Input"] for e in host.history("e3") if e["EventType"] == h.EVENT_RAISED]
    assert raised == ["1", "2"]  # in the history at once
    host.raise_event("e3", "a", "A")
    assert host.status("e3").output == ["A", 2, 2]


def test_only_orchestrators_and_activities_are_indexed_and_a_missing_activity_fails_its_task(
    hosts: Hosts,
) -> None:
    host = hosts("basic")
    assert "start_run" not in host.app.orchestrators and "start_run" not in host.app.activities
    assert {"sequence", "catcher", "fan_out"} <= set(host.app.orchestrators)
    assert host.app.activities["double"].param == "payload"
    host.start("calls_missing", None, "m")
    caught = host.status("m").output["caught"]
    assert (
        caught
        == "The function 'no_such_activity' doesn't exist, is disabled, or is not an activity function."
    )


def test_the_host_takes_the_waits_the_sdk_has_open_as_the_truth(hosts: Hosts) -> None:
    # with early events appended at once, which wait an early event completes is the SDK's (here the app
    # replaced its deferral by a queue): the host reads the open waits from the SDK after each replay
    host = hosts("events", early_events="azure")
    host.start("ordered_fifo", None, "q")
    with pytest.warns(UserWarning, match="Potential duplicate Task completion"):
        host.raise_event("q", "b", 1)
        host.raise_event("q", "b", 2)
    host.raise_event("q", "a", "A")
    assert host.status("q").waiting_for == ["b"]  # b1 and b2 took the early events; b3 waits
    assert [w.name for w in host.instances["q"].waits] == ["b"]
    host.raise_event("q", "b", 3)
    assert host.status("q").output == ["A", 1, 2, 3]


def test_retries_of_parallel_activities_interleave_with_the_sdks_task_ids(hosts: Hosts) -> None:
    host = hosts("basic")
    host.start("parallel_retries", None, "pr")
    assert host.status("pr").output == ["ok on attempt 2", "ok on attempt 3", 8]  # the async one awaited
    attempts = [
        (c.input.get("key") if isinstance(c.input, dict) else c.input, c.attempt) for c in host.calls("pr")
    ]
    assert sorted(attempts, key=str) == sorted(
        [("p1", 1), ("p1", 2), ("p2", 1), ("p2", 2), ("p2", 3), (4, 1)], key=str
    )
    assert [t.kind for t in host.timers_of("pr")] == ["retry"] * 3


def test_each_episode_starts_at_the_virtual_time_and_earlier_events_are_played(hosts: Hosts) -> None:
    host = hosts("basic")
    host.start("sleeper", {"seconds": 60}, "ep")
    events = host.history("ep")
    starts = [e["Timestamp"] for e in events if e["EventType"] == h.ORCHESTRATOR_STARTED]
    assert starts == ["2026-01-01T00:00:00.000000Z", "2026-01-01T00:01:00.000000Z"]
    last_start = max(i for i, e in enumerate(events) if e["EventType"] == h.ORCHESTRATOR_STARTED)
    assert all(e["IsPlayed"] for e in events[:last_start])
    assert not any(e["IsPlayed"] for e in events[last_start:])


def test_a_timer_computed_from_the_wall_clock_is_caught_on_replay(hosts: Hosts) -> None:
    host = hosts("replay")
    with pytest.raises(
        NondeterminismError, match=r"was CreateTimer firing at .* schedules CreateTimer firing at"
    ):
        host.start("wall_clock_timer", None, "wc")


def test_a_failed_sub_orchestration_reaches_the_parent_and_values_cross_as_json(hosts: Hosts) -> None:
    host = hosts("replay")
    host.start("parent_of_failing", None, "pf")
    assert host.status("pf").output == {"caught": "child gave up"}
    child = host.status("pf:0")  # the framework's id for a child without one: parent:task id
    assert (child.runtime_status, child.failure) == ("Failed", "child gave up")
    [echo] = host.calls("pf:0")
    assert echo.input == {"shape": [1, 2]} and echo.result == {"shape": [1, 2]}
    assert h.SUB_FAILED in kinds(host.history("pf"))


def test_an_sdk_failure_outside_its_own_report_fails_the_instance_with_it(hosts: Hosts) -> None:
    host = hosts("basic")
    host.start("yields_a_number", None, "y")
    st = host.status("y")
    assert st.runtime_status == "Failed"
    assert st.failure == "AttributeError: 'int' object has no attribute '_is_scheduled'"
