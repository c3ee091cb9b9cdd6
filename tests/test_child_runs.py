"""ctx.start_workflow: a child workflow as a run of its own (docs/semantics.md, "Child runs")."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from portaflow import (
    ChildFailed,
    Context,
    Engine,
    PortaflowError,
    VirtualClock,
    WorkflowError,
    step,
    workflow,
)
from portaflow.local_engine.children import child_run_id


class Declined(Exception):
    pass


@step
def charge(n: int) -> int:
    if n < 0:
        raise Declined(f"card declined for {n}")
    return n * 10


@workflow
def pay(ctx: Context, n: int) -> int:
    return charge(n)


@workflow
def approve(ctx: Context) -> str:
    return f"approved {ctx.wait_for_event('approval')}"


@workflow
def start_and_wait(ctx: Context, n: int) -> dict:
    child = ctx.start_workflow(pay, n)
    return {"id": child.run_id, "result": child.result(), "again": child.result()}


@workflow
def catches(ctx: Context) -> list:
    child = ctx.start_workflow(pay, n=-2)
    try:
        child.result()
    except Declined as e:
        return [type(e).__name__, e.message, e.type, e.run_id, e.workflow, isinstance(e, ChildFailed)]
    return []


@workflow
def fire_and_forget(ctx: Context) -> str:
    child = ctx.start_workflow(approve)
    return child.run_id


@workflow
def waits_for_approval(ctx: Context) -> str:
    return ctx.start_workflow(approve).result()


@workflow
def inline(ctx: Context) -> str:
    return ctx.start_workflow(pay, 1).run_id


@workflow
def outer(ctx: Context) -> list:
    return [charge(1), inline(ctx)]


def engine() -> Engine:
    return Engine(":memory:", clock=VirtualClock())


def test_start_and_wait_returns_the_childs_result_from_a_run_of_its_own() -> None:
    with engine() as e:
        run = e.start(start_and_wait, {"n": 4}, run_id="order-7")
        assert run.status().output == {"id": "order-7-c0", "result": 40, "again": 40}
        child = e.status("order-7-c0")
        assert (child.workflow, child.status, child.output) == ("pay", "completed", 40)
        started = e.history("order-7-c0")[0]
        assert started.data["parent"] == {"run_id": "order-7", "path": "0"}
        assert [h.kind for h in run.history()] == [
            "run_started",
            "child_started",
            "child_completed",
            "run_completed",
        ]
        # the child's steps have the child's run id in their keys
        assert e.history("order-7-c0")[1].data["idempotency_key"] == "order-7-c0:0"


def test_the_child_run_id_is_the_parents_and_the_calls_position() -> None:
    assert child_run_id("order-7", "2") == "order-7-c2"
    assert child_run_id("order-7", "1.0") == "order-7-c1-0"
    long = "x" * 80
    assert child_run_id(long, "3") == "x" * 61 + "-c3" and len(child_run_id(long, "3")) == 64
    with engine() as e:
        assert e.start(outer, run_id="r").status().output == [10, "r-c1-0"]


def test_a_failed_child_raises_childfailed_and_its_own_class() -> None:
    with engine() as e:
        out = e.start(catches, run_id="c").status().output
        assert out == ["Declined", "card declined for -2", "Declined", "c-c0", "pay", True]


def test_a_child_that_waits_for_an_event_sent_to_its_own_run_id() -> None:
    with engine() as e:
        run = e.start(waits_for_approval, run_id="w")
        st = run.status()
        assert (st.status, st.waiting_for_run, st.to_json()["waiting_for_run"]) == ("waiting", "w-c0", "w-c0")
        assert e.status("w-c0").waiting_for == "approval"
        assert e.pending_events("w") == []  # the child's wake-up is not an event of the parent's
        e.signal("w-c0", "approval", "by ann")
        assert run.status().output == "approved by ann"


def test_fire_and_forget_the_child_outlives_the_parent() -> None:
    with engine() as e:
        run = e.start(fire_and_forget, run_id="f")
        assert run.status().output == "f-c0"
        assert e.status("f-c0").status == "waiting"
        assert e.signal("f-c0", "approval", 1).output == "approved 1"


def test_cancelling_the_parent_leaves_the_child_running_and_a_cancelled_child_fails_result() -> None:
    with engine() as e:
        e.start(waits_for_approval, run_id="k")
        e.cancel("k")
        assert (e.status("k").status, e.status("k-c0").status) == ("cancelled", "waiting")
        e.start(waits_for_approval, run_id="m")
        e.cancel("m-c0")
        assert e.status("m").status == "waiting"  # woken as a signalled run is: a worker continues it
        e.work(drain=True)
        st = e.status("m")
        assert (st.status, st.error["type"], st.error["message"]) == (
            "failed",
            "Cancelled",
            "the run was cancelled",
        )


def test_a_replay_starts_no_second_child(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    with Engine(db, clock=VirtualClock()) as e:
        e.start(waits_for_approval, run_id="r")
    with Engine(db, clock=VirtualClock()) as e:  # a fresh engine: the parent replays from its log
        e.register(waits_for_approval)
        e.signal("r-c0", "approval", "x")
        assert e.status("r").output == "approved x"
        assert [r.run_id for r in e.list_runs()] == ["r", "r-c0"]
        assert [h.kind for h in e.history("r")].count("child_started") == 1


CRASHING = textwrap.dedent(
    """
    import os, sys
    from portaflow import Context, Engine, step, workflow

    @step
    def crash(child_id: str) -> str:
        if os.environ.get("CRASH"):
            os._exit(3)  # the process dies right after the child's start was recorded
        return child_id

    @workflow
    def child(ctx: Context) -> str:
        return "child done"

    @workflow
    def parent(ctx: Context) -> list:
        c = ctx.start_workflow(child)
        return [crash(c.run_id), c.result()]

    if __name__ == "__main__":
        with Engine(sys.argv[1]) as e:
            e.start(parent, run_id="p")
    """
)


def test_a_crash_after_starting_the_child_starts_no_second_one(tmp_path: Path) -> None:
    script = tmp_path / "flow.py"
    script.write_text(CRASHING, encoding="utf-8")
    db = tmp_path / "runs.db"
    done = subprocess.run([sys.executable, str(script), str(db)], env={"CRASH": "1", **_env()}, check=False)
    assert done.returncode == 3
    with Engine(db) as e:
        assert [h.kind for h in e.history("p")] == ["run_started", "child_started"]
        # the child was created in the same commit as the parent's record
        assert e.status("p-c0").status == "running"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import flow;"
            f"from portaflow import Engine; e = Engine({str(db)!r}); e.register(flow.parent); e.execute('p')",
        ],
        env=_env(),
        check=True,
    )
    with Engine(db) as e:
        assert e.status("p").output == ["p-c0", "child done"]
        assert [r.run_id for r in e.list_runs()] == ["p", "p-c0"]
        assert [h.kind for h in e.history("p-c0")].count("run_started") == 1
        assert [h.kind for h in e.history("p")].count("child_started") == 1


def test_starting_is_one_commit_a_failed_write_starts_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from portaflow.local_engine import childlinks

    calls = {"n": 0}
    real = childlinks.link

    def failing(conn, parent, path, child):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        real(conn, parent, path, child)
        if calls["n"] == 1:
            import sqlite3

            raise sqlite3.OperationalError("disk I/O error")
        return None

    monkeypatch.setattr(childlinks, "link", failing)
    with engine() as e:
        e.start(start_and_wait, {"n": 1}, run_id="s")
        assert [r.run_id for r in e.list_runs()] == ["s"]  # rolled back: no child, no record
        assert e.status("s").status == "running"
        assert e.execute("s").output == {"id": "s-c0", "result": 10, "again": 10}


def test_misuse_is_one_clear_error() -> None:
    @workflow
    def in_branch(ctx: Context) -> list:
        return ctx.parallel(lambda: ctx.start_workflow(pay, 1))

    @workflow
    def bad_args(ctx: Context) -> int:
        return ctx.start_workflow(pay, 1, 2).result()

    with engine() as e:
        err = e.start(in_branch, run_id="b").status().error
        assert err["type"] == "WorkflowError" and "inside a ctx.parallel" in err["message"]
        err = e.start(bad_args, run_id="a").status().error
        assert err["type"] == "WorkflowError" and "too many positional arguments" in err["message"]
        e.start(waits_for_approval, run_id="z")
        with pytest.raises(PortaflowError, match="engine's"):
            e.signal("z", "~child:z-c0", {"status": "completed", "output": "forged"})
    with pytest.raises(WorkflowError):
        Context("x").start_workflow(charge)  # type: ignore[arg-type]


def _env() -> dict[str, str]:
    import os

    root = str(Path(__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}


CLI_FLOW = textwrap.dedent(
    """
    from portaflow import Context, workflow

    @workflow
    def review(ctx: Context) -> str:
        return "approved by " + ctx.wait_for_event("approval")

    @workflow
    def publish(ctx: Context) -> str:
        return ctx.start_workflow(review).result()
    """
)


def test_the_cli_shows_a_parent_waiting_for_its_child_run(tmp_path: Path) -> None:
    (tmp_path / "flow.py").write_text(CLI_FLOW, encoding="utf-8")
    env = {**_env(), "PORTAFLOW_DB": str(tmp_path / "runs.db")}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "portaflow", *args]
        return subprocess.run(
            cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, check=False
        )

    run = cli("run", "flow.py:publish", "--run-id", "doc-1")
    assert run.returncode == 3
    assert "waits for its child run doc-1-c0" in run.stderr
    assert cli("status", "doc-1").stdout.strip() == "doc-1  publish  waiting for child run doc-1-c0"
    assert '"waiting_for_run": "doc-1-c0"' in cli("status", "doc-1", "--json").stdout
    listed = cli("list").stdout
    assert "waiting for run doc-1-c0" in listed and "waiting for 'approval'" in listed
    assert cli("signal", "doc-1-c0", "approval", "--data", '"ann"').returncode == 0
    assert json.loads(cli("status", "doc-1", "--json").stdout)["output"] == "approved by ann"


def test_pruning_a_parent_forgets_its_children_links() -> None:
    with engine() as e:
        e.start(fire_and_forget, run_id="g")
        e.clock.advance("2d")  # type: ignore[attr-defined]
        assert e.prune("1d") == 1  # the parent; its child still waits
        assert e.store.parent("g-c0") is None
        assert e.signal("g-c0", "approval", 2).output == "approved 2"  # and wakes nobody


def test_result_and_a_worker_drive_the_children_too() -> None:
    with engine() as e:
        assert e.submit(start_and_wait, {"n": 2}, run_id="q").result() == {
            "id": "q-c0",
            "result": 20,
            "again": 20,
        }
        e.submit(waits_for_approval, run_id="v")
        with pytest.raises(WorkflowError, match="run v-c0 waits for event 'approval'"):
            e.result("v")  # the child decides: it waits for an event nobody sent
        e.deliver("v-c0", "approval", "bo")
        e.work(drain=True)  # the child ends, its end wakes the parent, the worker runs both
        assert e.status("v").output == "approved bo"
