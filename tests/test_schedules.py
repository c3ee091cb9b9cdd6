"""Schedules: `@workflow(schedule=cron, timezone=...)` is started by the worker once per tick, with the run id
`<workflow>@<tick>`, however many workers share the database; of missed ticks only the latest starts; a
schedule never starts ticks from before a worker first saw it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from portaflow import Context, step, workflow
from portaflow.local_engine import Engine, VirtualClock
from portaflow.local_engine.schedules import Scheduler

MONDAY_7_UTC = datetime(2026, 12, 7, 7, 0, tzinfo=UTC).timestamp()  # 8:00 in Paris


@step
def build(run_id: str) -> str:
    return f"report {run_id}"


@workflow(schedule="0 9 * * MON", timezone="Europe/Paris")
def weekly(ctx: Context, title: str = "weekly") -> str:
    return build(ctx.run_id)


@workflow(schedule="0 9 * * *", timezone="Europe/Paris", timeout="1h")
def daily(ctx: Context) -> str:
    return build(ctx.run_id)


def _engine(db: Path, *wfs: object, at: float = MONDAY_7_UTC) -> Engine:
    return Engine(db, clock=VirtualClock(at), workflows=wfs)  # type: ignore[arg-type]


def _ids(engine: Engine) -> list[str]:
    return [r.run_id for r in engine.list()]


def test_the_worker_starts_a_run_at_each_tick_with_the_ticks_run_id(tmp_path: Path) -> None:
    with _engine(tmp_path / "runs.db", weekly) as engine:
        engine.work(drain=True)
        assert _ids(engine) == []  # 8:00 in Paris: the first tick is at 9:00
        engine.advance("1h")
        assert _ids(engine) == ["weekly@2026-12-07T08:00:00Z"]
        st = engine.status("weekly@2026-12-07T08:00:00Z")
        assert (st.status, st.output) == ("completed", "report weekly@2026-12-07T08:00:00Z")
        assert engine.history(st.run_id)[0].data == {
            "input": {},
            "schedule": "0 9 * * MON",
            "timezone": "Europe/Paris",
            "tick": "2026-12-07T08:00:00Z",
        }
        engine.advance("6d")
        engine.work(drain=True)
        assert len(_ids(engine)) == 1  # nothing more until next Monday
        engine.advance("1d")
        assert _ids(engine)[-1] == "weekly@2026-12-14T08:00:00Z"


def test_the_engine_lists_its_schedules_with_their_next_tick(tmp_path: Path) -> None:
    with _engine(tmp_path / "runs.db", weekly, daily) as engine:
        (w, d) = sorted(engine.schedules(), key=lambda u: u.workflow, reverse=True)
        assert (w.workflow, w.schedule, w.timezone) == ("weekly", "0 9 * * MON", "Europe/Paris")
        assert w.to_json()["next"] == "2026-12-07T08:00:00Z"
        assert w.to_json()["next_local"] == "2026-12-07T09:00:00+01:00"
        assert d.next == w.next  # the daily one's next tick is also today's 9:00


def test_several_workers_start_each_tick_exactly_once(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    engines = [_engine(db, weekly) for _ in range(4)]
    schedulers = [Scheduler(e, [weekly]) for e in engines]
    for e in engines:
        assert isinstance(e.clock, VirtualClock)
        e.clock.advance("1h")
    barrier = threading.Barrier(len(engines))
    started: list[list[str]] = []

    def poll(s: Scheduler) -> None:
        barrier.wait()
        started.append(s.poll())

    threads = [threading.Thread(target=poll, args=(s,)) for s in schedulers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(len, started)) == [0, 0, 0, 1]
    for e in engines:
        e.work(drain=True)
    assert _ids(engines[0]) == ["weekly@2026-12-07T08:00:00Z"]
    for e in engines:
        e.close()


def test_of_the_ticks_missed_while_no_worker_ran_only_the_latest_starts(tmp_path: Path) -> None:
    with _engine(tmp_path / "runs.db", weekly) as engine:
        engine.work(drain=True)  # a worker saw the schedule, then stopped for three weeks
        assert isinstance(engine.clock, VirtualClock)
        engine.clock.advance("21d")
        engine.work(drain=True)
        assert _ids(engine) == ["weekly@2026-12-21T08:00:00Z"]


def test_a_new_schedule_does_not_start_the_ticks_before_it(tmp_path: Path) -> None:
    with _engine(tmp_path / "runs.db", weekly, at=MONDAY_7_UTC + 3 * 86400) as engine:
        engine.work(drain=True)  # last Monday 9:00 passed before any worker knew the schedule
        assert _ids(engine) == []


def test_a_tick_whose_run_was_pruned_is_not_started_again(tmp_path: Path) -> None:
    with _engine(tmp_path / "runs.db", weekly) as engine:
        engine.work(drain=True)
        engine.advance("1h")
        assert _ids(engine) == ["weekly@2026-12-07T08:00:00Z"]
        assert isinstance(engine.clock, VirtualClock)
        engine.clock.advance("1m")
        assert engine.prune("0s") == 1
        engine.work(drain=True)
        assert _ids(engine) == []


def test_ticks_are_local_times_of_the_zone_across_daylight_saving(tmp_path: Path) -> None:
    winter = datetime(2027, 3, 27, 7, 30, tzinfo=UTC).timestamp()  # Saturday; Sunday clocks go forward
    with _engine(tmp_path / "runs.db", daily, at=winter) as engine:
        engine.work(drain=True)
        engine.advance("1d")  # Sunday 07:30 UTC: 9:00 in Paris was at 07:00 UTC (summer time)
        engine.advance("1d")
        assert _ids(engine) == ["daily@2027-03-28T07:00:00Z", "daily@2027-03-29T07:00:00Z"]


def test_a_scheduled_runs_timeout_counts_from_its_start(tmp_path: Path) -> None:
    with _engine(tmp_path / "runs.db", daily) as engine:
        engine.work(drain=True)
        engine.advance("1h")
        (run_id,) = _ids(engine)
        data = engine.history(run_id)[0].data
        assert data["deadline"] == engine.history(run_id)[0].at + 3600 and data["timeout"] == 3600


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"schedule": "0 25 * * *"},
            ValueError,
            "schedule of workflow 'w': '0 25 \\* \\* \\*' is not a cron",
        ),
        ({"schedule": "0 9 * * * *"}, ValueError, "write five fields"),
        ({"schedule": "0 9 * * *", "timezone": "Europe/Pariss"}, ValueError, "'Europe/Pariss' is not a time"),
        ({"timezone": "UTC"}, TypeError, "timezone= is the time zone of a schedule=; add one"),
    ],
)
def test_a_bad_schedule_is_refused_when_the_workflow_is_defined(
    kwargs: dict[str, str], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):

        @workflow(**kwargs)  # type: ignore[call-overload]
        def w(ctx: Context) -> None: ...


def test_a_scheduled_workflow_needs_no_input() -> None:
    with pytest.raises(TypeError, match="started with no input: give its parameters day default values"):

        @workflow(schedule="0 9 * * *")
        def w(ctx: Context, day: str) -> None: ...


FLOW = """
from portaflow import Context, step, workflow

@step
def one() -> int:
    return 1

@workflow(schedule="* * * * *", timezone="America/New_York")
def minutely(ctx: Context) -> int:
    return one()

@workflow
def plain(ctx: Context) -> int:
    return one()
"""


def test_the_cli_lists_schedules_and_the_worker_starts_them(tmp_path: Path) -> None:
    flow = tmp_path / "flow.py"
    flow.write_text(FLOW)
    db = tmp_path / "runs.db"
    env = {**os.environ, "PORTAFLOW_DB": str(db)}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "portaflow", *args], capture_output=True, text=True, env=env, cwd=tmp_path
        )

    listing = cli("schedules", "flow.py")
    assert listing.returncode == 0
    assert listing.stdout.startswith("minutely                 * * * * *        America/New_York next ")
    (row,) = json.loads(cli("schedules", "flow.py", "--json").stdout)
    assert row["workflow"] == "minutely" and row["next"].endswith(":00Z") and row["file"] == "flow.py"
    assert cli("worker", "--drain", "flow.py").returncode == 0  # sees the schedule; no tick since
    conn = sqlite3.connect(db)
    conn.execute("UPDATE schedules SET since = since - 120")  # as if it had been seen two minutes ago
    conn.commit()
    conn.close()
    proc = cli("worker", "--drain", "flow.py")
    assert proc.returncode == 0, proc.stderr
    assert "started for its schedule's tick" in proc.stderr
    (run,) = json.loads(cli("list", "--json").stdout)
    assert run["run_id"].startswith("minutely@") and run["status"] == "completed"
    assert cli("worker", "--drain", "flow.py").stderr.count("started for its schedule") == 0  # same minute
    bad = tmp_path / "bad.py"
    bad.write_text(FLOW.replace("* * * * *", "every minute"))
    proc = cli("schedules", "bad.py")
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"portaflow: error: {bad}:8: importing it raised ValueError: schedule of")
    assert cli("schedules", "nope.py").returncode == 2
