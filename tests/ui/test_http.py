"""The dashboard over HTTP (Starlette's TestClient), on databases that real runs wrote: what each page
shows, how actions are delivered, and what is refused."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from uikit import client, csrf_of, flow, start, waiting_refunds

from portaflow.local_engine import Engine
from portaflow.local_engine.store import Store
from portaflow.ui.queries import Cursor, Queries, RunFilter, page_query


def run_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-run="([^"]+)">', html)


# ----- pages ------------------------------------------------------------------------------------------


def test_the_runs_list_shows_every_run_newest_first_with_its_status(db: Path) -> None:
    waiting_refunds(db, "R-1", "R-2")
    start(db, "doomed", "D-1")
    with client(db) as c:
        page = c.get("/")
    assert page.status_code == 200
    assert run_ids(page.text) == ["D-1", "R-2", "R-1"]
    assert 'badge-failed">failed' in page.text and 'badge-waiting">waiting' in page.text
    assert '<span class="event-name">approval</span>' in page.text  # waiting_for


def test_the_runs_list_filters_by_status_workflow_and_run_id_prefix(db: Path) -> None:
    waiting_refunds(db, "R-1", "R-2", "X-1")
    start(db, "doomed", "D-1")
    with client(db) as c:
        assert run_ids(c.get("/?status=failed").text) == ["D-1"]
        assert run_ids(c.get("/?workflow=refund").text) == ["X-1", "R-2", "R-1"]
        assert run_ids(c.get("/?q=R-").text) == ["R-2", "R-1"]
        assert run_ids(c.get("/?status=waiting&workflow=doomed").text) == []
        bad = c.get("/?status=sleeping")
    assert bad.status_code == 400
    assert (
        "status &#39;sleeping&#39; is not one of running, waiting, completed, failed, cancelled" in bad.text
    )


def many_runs(db: Path, n: int) -> None:
    """``n`` runs inserted in one transaction through the store (as fast as SQLite goes)."""
    store = Store(db, durable=False)
    ref = {"module": "flows", "qualname": "slow", "file": None}
    with store._tx() as conn:
        for i in range(n):
            workflow = ("refund", "slow", "assorted")[i % 3]
            store._insert_run(conn, f"run-{i:05d}", workflow, ref, "{}", 1_000_000.0 + i, None)
        conn.execute("UPDATE runs SET status = 'completed' WHERE rowid % 4 != 0")
    store.close()


def test_ten_thousand_runs_page_through_indexes_with_no_scan_or_sort(db: Path) -> None:
    many_runs(db, 10_000)
    Engine(db).close()  # opening adds nothing: the schema has the indexes
    queries = Queries(str(db))
    cursor = Cursor(1_000_000.0 + 5000, "run-05000")
    for flt in (
        RunFilter(),
        RunFilter(status="completed"),
        RunFilter(workflow="slow"),
        RunFilter(status="running", workflow="refund"),
        RunFilter(run_id="run-09"),
    ):
        for cur, newer in ((None, False), (cursor, False), (cursor, True)):
            plan = " | ".join(queries.explain(*page_query(flt, cur, newer, 50)))
            assert "USING INDEX" in plan or "USING PRIMARY KEY" in plan or "USING COVERING INDEX" in plan, (
                plan
            )
            if not flt.run_id:  # a prefix search finds its matches by the primary key, then sorts those
                assert "TEMP B-TREE" not in plan, plan  # else nothing is sorted: the index is the order
            assert not re.search(r"SCAN runs(?! USING)", plan), plan  # never a scan of the table
    queries.close()


def test_pages_of_ten_thousand_runs_are_right_and_link_to_each_other(db: Path) -> None:
    many_runs(db, 10_000)
    with client(db) as c:
        first = c.get("/?workflow=slow")
        ids = run_ids(first.text)
        assert ids[:2] == ["run-09997", "run-09994"] and len(ids) == 50
        older = re.search(r'href="([^"]+)" rel="next"', first.text)
        assert older and 'rel="prev"' not in first.text
        second = c.get(older.group(1).replace("&amp;", "&"))
        assert run_ids(second.text)[0] == "run-09847"  # the 51st newest run of `slow`
        newer = re.search(r'href="([^"]+)" rel="prev"', second.text)
        assert newer
        assert run_ids(c.get(newer.group(1).replace("&amp;", "&")).text) == ids
        counts = re.findall(r'(\w+) <span class="count">(\d+)</span>', first.text)
        assert dict(counts) == {
            "all": "10000", "running": "2500", "waiting": "0",
            "completed": "7500", "failed": "0", "cancelled": "0",
        }  # fmt: skip
        bad = c.get("/?before=yesterday")
    assert bad.status_code == 400
    assert "page cursor &#39;yesterday&#39; is not one this dashboard made" in bad.text


def test_a_run_page_shows_its_timeline_result_and_graph(db: Path) -> None:
    waiting_refunds(db, "R-1")
    with Engine(db) as engine:
        engine.signal("R-1", "approval", {"approved": True, "by": "dana"})
    with client(db) as c:
        page = c.get("/runs/R-1").text
    titles = re.findall(r'<span class="ev-title">([^<]+)</span>', page)
    assert titles == [
        "run started (refund)",
        "step propose completed",
        "waiting for event &#39;approval&#39;",
        "received event &#39;approval&#39;",
        "step issue completed",
        "run completed",
    ]
    assert "&#34;by&#34;: &#34;dana&#34;" in page  # the event's payload, as escaped JSON
    assert re.search(r"ran \d\d:\d\d:\d\d\.\d{3} → \d\d:\d\d:\d\d\.\d{3} UTC", page)  # an attempt's start/end
    assert '<h2>Result</h2><pre class="json">{\n  &#34;outcome&#34;: &#34;refunded&#34;' in page
    states = dict(re.findall(r'data-label="([^"]+)" data-state="(\w+)"', page))
    assert states == {"start": "done", "step propose": "done", "wait for approval": "done",
                      "step issue": "done", "end": "done"}  # fmt: skip


def test_the_timeline_shows_retries_with_their_delay_recorded_values_and_timers(db: Path) -> None:
    start(db, "assorted", "A-1", {"text": "hi"})
    with client(db) as c:
        page = c.get("/runs/A-1").text
    assert "step flaky attempt 1 failed" in page
    assert "ConnectionError: the service did not answer; retrying in 100ms, at " in page
    assert "step flaky completed on attempt 2" in page
    for value in ("now", "uuid4", "random"):
        assert f"recorded ctx.{value}()" in page
    assert re.search(r'<div class="ev-detail">0\.\d+</div>', page)  # ctx.random()'s value, at a glance
    assert "sleep 200ms started" in page and "timer fired" in page
    # the workflow calls a step on one path of an expression: the compiler says why it cannot draw it
    assert "the compiler cannot draw this workflow" in page and "PFC023" in page


def test_a_failed_run_shows_its_error_and_traceback(db: Path) -> None:
    start(db, "doomed", "D-1")
    with client(db) as c:
        page = c.get("/runs/D-1").text
    assert "Error: ValueError" in page and "the ledger is closed" in page
    assert "traceback: step broken, its last attempt" in page and "raise ValueError" in page
    assert 'data-label="step broken" data-state="failed"' in page


def test_markup_in_a_result_is_shown_as_text(db: Path) -> None:
    start(db, "assorted", "A-1", {"text": "<script>alert('owned')</script><b>x</b>"})
    with client(db) as c:
        page = c.get("/runs/A-1")
    assert "<script>alert" not in page.text and "<b>x</b>" not in page.text
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]  # and no inline script would run


def test_an_unknown_run_is_404_with_one_line(db: Path) -> None:
    waiting_refunds(db, "R-1")
    with client(db) as c:
        page = c.get("/runs/nope")
    assert page.status_code == 404
    assert "no run &#39;nope&#39; in" in page.text


def test_the_inbox_lists_the_runs_waiting_for_an_event(db: Path) -> None:
    waiting_refunds(db, "R-1", "R-2")
    start(db, "doomed", "D-1")
    with client(db) as c:
        page = c.get("/inbox").text
    assert run_ids(page) == ["R-1", "R-2"]
    assert 'Approvals inbox <span class="pill">2</span>' in page  # in every page's header
    assert page.count('<span class="event-name">approval</span>') == 2
    assert re.search(r"UTC \(in (59m5\ds|1h)\)", page)  # the timeout, an hour after the wait began


def test_the_inbox_lists_a_child_run_waiting_for_an_event_not_its_parent(db: Path) -> None:
    start(db, "refund_via_child", "P-1", {"order_id": "O-1"})
    with client(db) as c:
        page = c.get("/inbox").text
        parent = c.get("/runs/P-1").text
    assert run_ids(page) == ["P-1-c0"]
    assert 'Approvals inbox <span class="pill">1</span>' in page
    assert 'class="answer-box"' not in parent  # the parent's wait is answered by its child's end


def test_the_live_fragment_is_what_the_page_shows(db: Path) -> None:
    waiting_refunds(db, "R-1")
    with client(db) as c:
        fragment = c.get("/live-fragment/run?id=R-1")
        page = c.get("/runs/R-1").text
        assert c.get("/live-fragment/nothing").status_code == 404
    assert fragment.status_code == 200
    assert re.search(r"<ol class=\"events\">.*</ol>", fragment.text, re.S).group(0) in page  # type: ignore[union-attr]


# ----- actions ----------------------------------------------------------------------------------------


def answer(c, run_id: str, choice: str, csrf: str, payload: str = "", back: str = "inbox", **headers: str):  # type: ignore[no-untyped-def]
    return c.post(
        f"/runs/{run_id}/answer",
        data={"csrf": csrf, "event": "approval", "choice": choice, "payload": payload, "back": back},
        headers=headers,
    )


def test_approve_delivers_approved_true_and_redirects_with_a_notice(db: Path) -> None:
    waiting_refunds(db, "R-1")
    with client(db) as c:
        csrf = csrf_of(c.get("/inbox").text)
        sent = answer(c, "R-1", "approve", csrf)
        assert sent.status_code == 303
        notice = c.get(sent.headers["location"]).text
    assert "Approved: the event &#39;approval&#39; was recorded for run R-1" in notice
    with Engine(db) as engine:
        assert engine.pending_events("R-1") == [("approval", {"approved": True})]
        engine.work(drain=True)
        assert engine.status("R-1").output["outcome"] == "refunded"


def test_reject_and_a_custom_payload(db: Path) -> None:
    waiting_refunds(db, "R-1", "R-2")
    with client(db) as c:
        csrf = csrf_of(c.get("/runs/R-1").text)
        assert answer(c, "R-1", "reject", csrf, back="run").headers["location"].startswith("/runs/R-1?")
        assert answer(c, "R-2", "custom", csrf, '{"approved": true, "note": "ok"}').status_code == 303
    with Engine(db) as engine:
        assert engine.pending_events("R-1") == [("approval", {"approved": False})]
        assert engine.pending_events("R-2") == [("approval", {"approved": True, "note": "ok"})]


def test_a_bad_json_payload_is_refused_with_where_and_what_to_write(db: Path) -> None:
    waiting_refunds(db, "R-1")
    with client(db) as c:
        csrf = csrf_of(c.get("/inbox").text)
        refused = answer(c, "R-1", "custom", csrf, '{"approved": tru}')
    assert refused.status_code == 400
    assert "the payload is not JSON (Expecting value at line 1 column 14)" in refused.text
    assert "{&#34;approved&#34;: tru}</textarea>" in refused.text  # what was typed is kept to fix it
    assert "data-live" not in refused.text  # no live update wipes the message (it says to reload)
    assert '<a href="/inbox">reload it</a>' in refused.text
    with Engine(db) as engine:
        assert engine.pending_events("R-1") == []


def test_answering_twice_delivers_one_event_and_the_second_is_409(db: Path) -> None:
    waiting_refunds(db, "R-1")
    with client(db) as c:
        csrf = csrf_of(c.get("/inbox").text)
        assert answer(c, "R-1", "approve", csrf).status_code == 303
        again = answer(c, "R-1", "reject", csrf)
    assert again.status_code == 409
    assert "already answered: run R-1 no longer waits for event &#39;approval&#39;" in again.text
    with Engine(db) as engine:
        assert engine.pending_events("R-1") == [("approval", {"approved": True})]


def test_cancel_cancels_a_run_nobody_executes(db: Path) -> None:
    waiting_refunds(db, "R-1")
    with client(db) as c:
        csrf = csrf_of(c.get("/runs/R-1").text)
        done = c.post("/runs/R-1/cancel", data={"csrf": csrf})
        assert done.status_code == 303
        assert "Run R-1: cancelled." in c.get(done.headers["location"]).text
        assert c.post("/runs/R-1/cancel", data={"csrf": csrf}).status_code == 409
    with Engine(db) as engine:
        assert engine.status("R-1").status == "cancelled"


# ----- refusals ---------------------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_or_from_another_origin_is_refused(db: Path) -> None:
    waiting_refunds(db, "R-1")
    with client(db) as c:
        csrf = csrf_of(c.get("/inbox").text)
        assert answer(c, "R-1", "approve", "forged").status_code == 403
        assert c.post("/runs/R-1/cancel", data={}).status_code == 403
        cross = answer(c, "R-1", "approve", csrf, origin="http://evil.example")
        assert cross.status_code == 403 and "CSRF" in cross.text
        assert c.get("/runs/R-1/cancel").status_code == 405  # a GET never changes anything
    with Engine(db) as engine:
        assert engine.pending_events("R-1") == [] and engine.status("R-1").status == "waiting"


def test_a_host_header_that_is_not_the_bound_address_is_refused(db: Path) -> None:
    waiting_refunds(db, "R-1")
    with client(db) as c:
        assert c.get("/", headers={"host": "attacker.example:8233"}).status_code == 400
        assert c.get("/", headers={"host": "localhost:8233"}).status_code == 200
        assert c.get("/", headers={"host": "[::1]:8233"}).status_code == 200


def test_with_a_token_every_request_needs_it(db: Path) -> None:
    waiting_refunds(db, "R-1")
    with client(db, token="s3cret", host="0.0.0.0") as c:
        refused = c.get("/")
        assert refused.status_code == 401 and "needs its token" in refused.text
        assert c.get("/static/app.css").status_code == 401
        assert c.get("/?token=wrong").status_code == 401
        assert c.get("/", headers={"authorization": "Bearer s3cret"}).status_code == 200
        entry = c.get("/inbox?token=s3cret")
        assert entry.status_code == 303 and entry.headers["location"] == "/inbox"
        assert "HttpOnly" in entry.headers["set-cookie"] and "SameSite=Strict" in entry.headers["set-cookie"]
        inbox = c.get("/inbox")  # the cookie it set
        assert inbox.status_code == 200
        assert answer(c, "R-1", "approve", csrf_of(inbox.text)).status_code == 303


def test_the_api_of_the_store_is_what_the_ui_uses(db: Path) -> None:
    """The inbox hides nothing: an answered run stays listed, marked, until a worker consumes it."""
    waiting_refunds(db, "R-1")
    with Engine(db) as engine:
        engine.deliver("R-1", "approval", {"approved": True})
    with client(db) as c:
        page = c.get("/inbox").text
    assert "answered: a worker continues the run" in page and "Approve</button>" not in page
    with sqlite3.connect(db) as conn:
        assert json.loads(conn.execute("SELECT payload FROM signals").fetchone()[0]) == {"approved": True}


def test_a_waiting_run_is_marked_at_its_wait_in_the_graph_and_offers_its_answers(db: Path) -> None:
    waiting_refunds(db, "R-1")
    with client(db) as c:
        page = c.get("/runs/R-1").text
    states = dict(re.findall(r'data-label="([^"]+)" data-state="(\w+)"', page))
    assert states == {"start": "done", "step propose": "done", "wait for approval": "current"}
    assert 'action="/runs/R-1/answer"' in page and "Cancel run</button>" in page


def test_a_database_that_refuses_is_a_page_with_one_line(db: Path) -> None:
    waiting_refunds(db, "R-1")
    with client(db) as c:
        c.app.state.dashboard.queries.close()  # type: ignore[attr-defined]  # as if the file went away
        page = c.get("/runs/R-1")
    assert page.status_code == 503
    assert "the database refused the operation: Cannot operate on a closed database" in page.text


def test_a_run_in_backoff_says_which_step_retries_and_when(db: Path) -> None:
    with Engine(db) as engine:
        engine.submit(flow("patient"), {}, run_id="P-1")
        engine.execute("P-1", max_wait=0)  # the retry delay is left to a worker
    with client(db) as c:
        page = c.get("/runs/P-1").text
    assert re.search(
        r"step <b>unreachable</b> attempt 1 failed \(TimeoutError: the bank did not answer\); "
        r"the next attempt is due at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC",
        page,
    )
    assert 'data-label="step unreachable" data-state="current"' in page


def test_a_failure_event_shows_as_its_type_and_message_pending_and_in_the_timeline(db: Path) -> None:
    """`signal --error TYPE:MESSAGE` stores no JSON payload: the page shows the failure instead."""
    waiting_refunds(db, "F-1")
    with Engine(db) as engine:
        engine.deliver("F-1", "approval", error=("Rejected", "over budget"))
    with client(db) as c:
        page = c.get("/runs/F-1")
        assert page.status_code == 200
        assert "not consumed yet" in page.text and "Rejected" in page.text and "over budget" in page.text
    with Engine(db) as engine:
        engine.execute("F-1")
    with client(db) as c:
        page = c.get("/runs/F-1")
        assert page.status_code == 200
        assert "received event &#39;approval&#39; as a failure" in page.text
        assert "Rejected: over budget" in page.text
