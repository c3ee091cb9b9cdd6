"""Durable work inside ctx.map and ctx.parallel: items and branches that sleep, wait for their own events,
call child workflows and fan out again; how the run parks, which wait an event goes to, and replay and
recovery in the middle of a fan-out."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from portaflow import Context, EventFailed, WorkflowError, step, workflow
from portaflow.local_engine import Engine, VirtualClock

CALLS: list[str] = []


@step
def fetch(doc_id: str) -> str:
    CALLS.append(f"fetch {doc_id}")
    return f"text of {doc_id}"


@step
def publish(text: str) -> str:
    CALLS.append(f"publish {text}")
    return text.upper()


class Rejected(Exception):
    pass


@workflow
def review(ctx: Context, doc: dict[str, Any]) -> dict[str, Any]:
    text = fetch(doc["id"])
    try:
        verdict = ctx.wait_for_event(f"approve:{doc['id']}", timeout="1d")
    except Rejected as e:
        return {"id": doc["id"], "rejected": str(e)}
    if verdict is None:
        return {"id": doc["id"], "timed_out": True}
    return {"id": doc["id"], "published": publish(text)}


@workflow
def batch(ctx: Context, docs: list[dict[str, Any]], limit: int | None = None) -> list[Any]:
    return ctx.map(review, docs, max_concurrency=limit)


def _docs(*ids: str) -> dict[str, Any]:
    return {"docs": [{"id": i} for i in ids]}


def _engine() -> Engine:
    return Engine(":memory:", clock=VirtualClock())


def test_each_map_item_waits_for_its_own_event_while_its_siblings_complete() -> None:
    CALLS.clear()
    with _engine() as engine:
        run = engine.start(batch, _docs("a", "b", "c"), run_id="m1")
        st = run.status()
        assert st.status == "waiting"
        assert (st.waiting_for, st.waiting_for_all) == ("approve:a", ("approve:a", "approve:b", "approve:c"))
        st = engine.signal("m1", "approve:b", {"ok": True})
        assert st.waiting_for_all == ("approve:a", "approve:c")
        assert CALLS[-1] == "publish text of b"  # item b went on while a and c still wait
        engine.signal("m1", "approve:c", error=("Rejected", "not this one"))
        st = engine.signal("m1", "approve:a", {})
        assert st.status == "completed"
        assert st.output == [
            {"id": "a", "published": "TEXT OF A"},
            {"id": "b", "published": "TEXT OF B"},
            {"id": "c", "rejected": "not this one"},
        ]
        keys = {(e.kind, e.key) for e in run.history()}
        assert ("call_started", "0") in keys and ("call_started", "0.1") in keys  # item 1 of the map at 0
        assert ("step_completed", "0.1.0") in keys and ("wait_started", "0.1.p0") in keys
        assert ("call_completed", "0.1") in keys


def test_a_single_wait_keeps_the_single_wait_status() -> None:
    with _engine() as engine:
        st = engine.start(batch, _docs("a"), run_id="one").status()
        assert (st.waiting_for, st.waiting_for_all) == ("approve:a", ())
        assert st.to_json()["waiting_for"] == "approve:a" and "waiting_for_all" not in st.to_json()


def test_an_item_wait_times_out_on_its_own() -> None:
    with _engine() as engine:
        engine.start(batch, _docs("a", "b"), run_id="t1")
        engine.signal("t1", "approve:a", {"ok": True})
        engine.advance("1d")
        assert engine.status("t1").output == [
            {"id": "a", "published": "TEXT OF A"},
            {"id": "b", "timed_out": True},
        ]


def test_max_concurrency_holds_a_waiting_item_in_its_place() -> None:
    with _engine() as engine:
        st = engine.start(batch, {**_docs("a", "b", "c"), "limit": 2}, run_id="c1").status()
        assert st.waiting_for_all == ("approve:a", "approve:b")  # c has not started
        st = engine.signal("c1", "approve:b", {})
        assert st.waiting_for_all == ("approve:a", "approve:c")


@workflow
def two_levels(ctx: Context, n: int) -> list[Any]:
    """A map item (a parallel branch) runs a parallel whose branches sleep or wait."""

    def item(i: int) -> Any:
        def sleeper() -> str:
            ctx.sleep("1h")
            return fetch(str(i))

        return ctx.parallel(sleeper, lambda: ctx.wait_for_event(f"go:{i}"))

    return ctx.parallel(*[lambda i=i: item(i) for i in range(n)])


def test_fan_out_nests_two_levels_deep_with_keys_by_position() -> None:
    with _engine() as engine:
        run = engine.start(two_levels, {"n": 2}, run_id="n1")
        assert run.status().waiting_for_all == ("go:0", "go:1")
        engine.signal("n1", "go:1", 5)
        assert engine.signal("n1", "go:0", 4).output == [["text of 0", 4], ["text of 1", 5]]
        keys = [(e.kind, e.key) for e in run.history() if e.key]
        # branch b of the parallel at n: n.b.k; context calls keyed by their branch's prefix
        for key in ("0.0.0.0.p0", "0.0.0.1.p0", "0.1.0.0.p0", "0.1.0.1.p0"):
            assert any(k == key for _, k in keys), key
        assert ("step_completed", "0.1.0.0.0") in keys


@workflow
def same_name(ctx: Context) -> list[Any]:
    def branch(b: int) -> Any:
        if b == 0:
            fetch("first")  # the lower branch opens its wait after the other one
        return ctx.wait_for_event("shared")

    return ctx.parallel(lambda: branch(0), lambda: branch(1))


def test_an_event_goes_to_the_open_wait_at_the_lowest_position() -> None:
    with _engine() as engine:
        engine.start(same_name, run_id="s1")
        engine.signal("s1", "shared", "one")
        assert engine.signal("s1", "shared", "two").output == ["one", "two"]
        received = [(e.key, e.data["payload"]) for e in engine.history("s1") if e.kind == "event_received"]
        assert received == [("0.0.p0", "one"), ("0.1.p0", "two")]


@step
def boom(x: str) -> str:
    raise ValueError(f"bad {x}")


@workflow
def failing(ctx: Context) -> Any:
    def waits() -> Any:
        return ctx.wait_for_event("late")

    return ctx.parallel(lambda: boom("b0"), waits, lambda: boom("b2"))


def test_every_branch_is_attempted_and_the_lowest_index_failure_raised_after_all_finished() -> None:
    with _engine() as engine:
        st = engine.start(failing, run_id="f1").status()
        assert st.status == "waiting" and st.waiting_for == "late"  # branch 1 still waits
        st = engine.signal("f1", "late", 1)
        assert st.status == "failed" and st.error is not None
        assert (st.error["type"], st.error["message"]) == ("ValueError", "bad b0")


@workflow
def rejected(ctx: Context) -> Any:
    def waits() -> Any:
        try:
            return ctx.wait_for_event("ok:1")
        except EventFailed as e:
            return f"{e.type}: {e.message}"

    return ctx.parallel(waits, lambda: fetch("x"))


def test_a_branch_wait_rejected_with_a_failure_event() -> None:
    with _engine() as engine:
        engine.start(rejected, run_id="r1")
        st = engine.signal("r1", "ok:1", error=("Rejected", "no"))
        assert st.output == ["Rejected: no", "text of x"]


@workflow
def uses_patched(ctx: Context) -> Any:
    return ctx.parallel(lambda: ctx.patched("x"))


def test_ctx_patched_stays_the_workflows_own() -> None:
    with _engine() as engine:
        st = engine.start(uses_patched).status()
        assert st.status == "failed" and st.error is not None
        assert st.error["type"] == "WorkflowError" and "ctx.patched()" in st.error["message"]


def test_map_refuses_what_is_neither_a_step_nor_a_workflow() -> None:
    @workflow
    def bad(ctx: Context) -> Any:
        return ctx.map(len, ["a"])  # type: ignore[arg-type]

    with _engine() as engine:
        st = engine.start(bad).status()
        assert st.error is not None and "@step or @workflow" in st.error["message"]
        assert WorkflowError.__name__ == st.error["type"]


def test_a_new_engine_resumes_a_half_done_fan_out_from_its_history(db_path: Any) -> None:
    CALLS.clear()
    with Engine(db_path) as e1:
        e1.start(batch, _docs("a", "b", "c"), run_id="h1")
        e1.signal("h1", "approve:b", {})
    assert sorted(CALLS) == ["fetch a", "fetch b", "fetch c", "publish text of b"]
    CALLS.clear()
    with Engine(db_path, workflows=[batch]) as e2:  # nothing in memory: the log is replayed
        st = e2.signal("h1", "approve:a", {})
        assert st.waiting_for == "approve:c"
        assert CALLS == ["publish text of a"]  # fetches and b's publish come from the history
    with Engine(db_path, workflows=[batch]) as e3:
        st = e3.signal("h1", "approve:c", {})
        assert st.output == [{"id": i, "published": f"TEXT OF {i.upper()}"} for i in "abc"]


GATE = threading.Event()
ENTERED = threading.Event()


@step
def slow(doc_id: str) -> str:
    CALLS.append(f"slow {doc_id}")
    if doc_id == "c" and not ENTERED.is_set():  # the first attempt hangs until the owner has "died"
        ENTERED.set()
        GATE.wait(10)
    return doc_id


@workflow
def crashy_item(ctx: Context, doc: dict[str, Any]) -> str:
    got = slow(doc["id"])
    if doc["id"] == "a":
        ctx.wait_for_event("approve:a")
    return got


@workflow
def crashy(ctx: Context, docs: list[dict[str, Any]]) -> list[Any]:
    return ctx.map(crashy_item, docs)


def test_a_crash_in_the_middle_of_a_fan_out_is_recovered(db_path: Any) -> None:
    """The owner dies while item c's step runs, item a waits and item b is done: the rescuer replays a
    and b and attempts c's step again with the same key; the dead owner's late write is refused."""
    CALLS.clear()
    GATE.clear()
    ENTERED.clear()
    crashed = Engine(db_path)
    crashed.submit(crashy, _docs("a", "b", "c"), run_id="x1")
    runner = threading.Thread(target=crashed.execute, args=("x1",), daemon=True)
    runner.start()
    assert ENTERED.wait(10)
    deadline = time.monotonic() + 10
    while "slow b" not in CALLS or not any(e.kind == "wait_started" for e in crashed.history("x1")):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    crashed.owner.retire()  # the process "died" holding the lease
    CALLS.clear()
    with Engine(db_path, workflows=[crashy]) as rescuer:
        assert rescuer.work(drain=True) == 1
        assert CALLS == ["slow c"]
        GATE.set()  # the dead owner's step returns now: its record is refused (the fence moved on)
        runner.join(10)
        assert rescuer.status("x1").waiting_for == "approve:a"
        st = rescuer.signal("x1", "approve:a", {})
        assert st.output == ["a", "b", "c"]
        events = rescuer.history("x1")
        assert events[-1].kind == "run_completed"
        assert [e.key for e in events if e.kind == "step_completed"].count("0.2.0") == 1
        assert any(e.kind == "run_recovered" for e in events)
    crashed.close()


@pytest.mark.parametrize("limit", [None, 1])
def test_sequential_and_threaded_fan_outs_record_the_same_keys(limit: int | None) -> None:
    with _engine() as engine:
        engine.start(batch, {**_docs("a", "b"), "limit": limit}, run_id="k")
        engine.signal("k", "approve:a", {})
        engine.signal("k", "approve:b", {})
        keys = sorted(e.key for e in engine.history("k") if e.key)
        assert keys == sorted(
            [
                "0",
                "0.0",
                "0.0.0",
                "0.0.p0",
                "0.0.p0",
                "0.0.1",
                "0.0",
                "0.1",
                "0.1.0",
                "0.1.p0",
                "0.1.p0",
                "0.1.1",
                "0.1",
            ]
        )


FLOW = """
from portaflow import Context, workflow


@workflow
def item(ctx: Context, doc_id: str) -> str:
    return ctx.wait_for_event(f"approve:{doc_id}")


@workflow
def batch(ctx: Context, ids: list) -> list:
    return ctx.map(item, ids)
"""


def test_portaflow_status_shows_every_event_the_run_waits_for(tmp_path: Any) -> None:
    import json
    import os
    import subprocess
    import sys

    (tmp_path / "fan.py").write_text(FLOW)
    env = {**os.environ, "PORTAFLOW_DB": str(tmp_path / "fan.db")}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "portaflow", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )

    run = cli("run", "fan.py:batch", "--input", '{"ids": ["x", "y"]}', "--run-id", "b1")
    assert run.returncode == 3, run.stderr
    assert "waits for events 'approve:x', 'approve:y': send one with `portaflow signal b1" in run.stderr
    shown = json.loads(cli("status", "b1", "--json").stdout)
    assert (shown["waiting_for"], shown["waiting_for_all"]) == ("approve:x", ["approve:x", "approve:y"])
    assert "waiting for events 'approve:x', 'approve:y'" in cli("status", "b1").stdout
    done = cli("signal", "b1", "approve:y", "--data", '"ok y"')
    assert json.loads(cli("status", "b1", "--json").stdout)["waiting_for"] == "approve:x", done.stderr
    assert json.loads(cli("signal", "b1", "approve:x", "--data", '"ok x"').stdout.splitlines()[-1])[
        "output"
    ] == [
        "ok x",
        "ok y",
    ]


@workflow
def short_and_long(ctx: Context) -> list[Any]:
    return ctx.parallel(
        lambda: ctx.wait_for_event("shared", timeout="1h"), lambda: ctx.wait_for_event("shared", timeout="1d")
    )


def test_an_event_received_after_the_lower_waits_deadline_goes_to_the_next_wait() -> None:
    with _engine() as engine:
        engine.start(short_and_long, run_id="d1")
        engine.advance("2h")  # branch 0's wait timed out
        assert engine.signal("d1", "shared", "late").output == [None, "late"]


@workflow
def recorded_in_branches(ctx: Context) -> list[Any]:
    def pick() -> float:
        return ctx.random()

    return ctx.parallel(pick, pick)


def test_values_recorded_in_branches_are_keyed_by_their_branch_and_replayed(db_path: Any) -> None:
    with Engine(db_path) as engine:
        first = engine.start(recorded_in_branches, run_id="v1").status().output
        keys = sorted(e.key for e in engine.history("v1") if e.kind == "value_recorded")
        assert keys == ["0.0.p0", "0.1.p0"]
        values = {e.key: e.data["value"] for e in engine.history("v1") if e.kind == "value_recorded"}
        assert first == [values["0.0.p0"], values["0.1.p0"]]


def test_an_answer_only_if_the_run_waits_reaches_any_of_its_open_waits() -> None:
    from portaflow.dsl.errors import NotWaiting

    with _engine() as engine:
        engine.start(batch, _docs("a", "b"), run_id="o1")
        engine.deliver("o1", "approve:b", {}, only_if_waiting=True)  # the second of two open waits
        assert engine.status("o1").waiting_for == "approve:a"
        with pytest.raises(NotWaiting):
            engine.deliver("o1", "approve:b", {}, only_if_waiting=True)  # answered already
