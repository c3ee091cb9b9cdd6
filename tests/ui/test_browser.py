"""The dashboard in a real browser: headless Chromium (Debian's) driven by Playwright, on a real `portaflow
ui` process and a real `portaflow worker`, over a database that real runs wrote.

Screenshots of the main pages are saved where the `artifacts` fixture says (docs/img/ has two of them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from uikit import start, ui_process, wait_for, waiting_refunds, worker_process

from portaflow.local_engine import Engine

WAITING = ("R-approve", "R-reject", "R-bad", "R-race", "R-double")


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The database (runs of every kind, a slow one held at a gate), a worker and the dashboard."""
    folder = tmp_path_factory.mktemp("ui")
    db, gate = folder / "runs.db", folder / "gate"
    waiting_refunds(db, *WAITING)
    start(db, "assorted", "A-1", {"text": "<script>window.__owned = true</script>"})
    start(db, "doomed", "D-1")
    with Engine(db) as engine:
        from uikit import flow

        engine.submit(flow("slow"), {}, run_id="W-live")  # the worker runs it, held until `gate` exists
    with (
        worker_process(db, env={"PORTAFLOW_UI_TEST_GATE": str(gate)}),
        ui_process(db) as (url, _, proc),
    ):
        yield {"db": db, "gate": gate, "url": url, "proc": proc}


@pytest.fixture
def page(browser: Any, scene: dict[str, Any]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=scene["url"])
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()
    assert dialogs == []  # nothing on any page ran a script of its data


def history(db: Path, run_id: str) -> list[str]:
    with Engine(db) as engine:
        return [e.kind for e in engine.history(run_id)]


def test_a_run_completes_live_without_a_reload(page: Page, scene: dict[str, Any], artifacts: Path) -> None:
    page.goto("/runs/W-live")
    badge = page.locator(".summary .badge")
    expect(badge).to_have_text("running", timeout=15_000)
    expect(page.locator(".live-state.on")).to_be_visible()  # the event stream is open
    page.evaluate("window.__same_page = true")
    scene["gate"].touch()
    expect(badge).to_have_text("completed", timeout=20_000)
    expect(page.locator(".outcome.ok pre")).to_contain_text('"first"')
    assert page.evaluate("window.__same_page") is True  # updated in place, not reloaded
    expect(page.locator(".ev-title").last).to_have_text("run completed")
    expect(page.locator('g.node[data-label="end"]')).to_have_attribute("data-state", "done")
    page.screenshot(path=artifacts / "run-completed.png", full_page=True)


def test_the_runs_list_leads_to_a_run_and_its_timeline(page: Page, artifacts: Path) -> None:
    page.goto("/")
    expect(page.locator("table.runs tbody tr")).to_have_count(8)
    page.screenshot(path=artifacts / "runs.png", full_page=True)
    page.select_option("select[name=status]", "failed")
    page.click("text=Filter")
    expect(page.locator("table.runs tbody tr")).to_have_count(1)
    page.click("text=D-1")
    expect(page.locator("h1")).to_have_text("D-1")
    expect(page.locator(".outcome.fail")).to_contain_text("ValueError")
    page.goto("/runs/A-1")
    entry = page.locator("li.ev", has_text="step echo completed")
    entry.locator("summary", has_text="result").click()
    shown = entry.locator("pre.json").last
    expect(shown).to_contain_text("<script>window.__owned = true</script>")  # as text
    assert page.evaluate("window.__owned === undefined")
    expect(page.locator("li.ev", has_text="step flaky attempt 1 failed")).to_contain_text("retrying in 100ms")
    page.screenshot(path=artifacts / "timeline.png", full_page=True)


def inbox_row(page: Page, run_id: str) -> Any:
    return page.locator(f'tr[data-run="{run_id}"]')


def test_approve_a_waiting_run_and_see_it_finish(page: Page, scene: dict[str, Any], artifacts: Path) -> None:
    page.goto("/inbox")
    expect(inbox_row(page, "R-approve")).to_contain_text("approval")
    page.screenshot(path=artifacts / "inbox.png", full_page=True)
    inbox_row(page, "R-approve").locator("button", has_text="Approve").click()
    expect(page.locator(".notice")).to_contain_text(
        "Approved: the event 'approval' was recorded for run R-approve"
    )
    page.goto("/runs/R-approve")
    expect(page.locator(".summary .badge")).to_have_text("completed", timeout=20_000)  # the worker went on
    expect(page.locator(".outcome.ok")).to_contain_text('"refunded"')
    page.screenshot(path=artifacts / "run-approved.png", full_page=True)


def test_reject_a_waiting_run(page: Page, scene: dict[str, Any]) -> None:
    page.goto("/runs/R-reject")
    page.locator(".answer-box button", has_text="Reject").click()
    expect(page.locator(".notice")).to_contain_text("Rejected")
    expect(page.locator(".summary .badge")).to_have_text("completed", timeout=20_000)
    expect(page.locator(".outcome.ok")).to_contain_text('"declined"')


def test_a_bad_payload_shows_the_error_and_keeps_what_was_typed(page: Page, scene: dict[str, Any]) -> None:
    page.goto("/inbox")
    row = inbox_row(page, "R-bad")
    row.locator("summary", has_text="Custom payload").click()
    row.locator("textarea").fill('{"approved": tru}')
    row.locator("button", has_text="Send payload").click()
    error = inbox_row(page, "R-bad").locator(".form-error")
    expect(error).to_contain_text("the payload is not JSON (Expecting value at line 1 column 14)")
    expect(inbox_row(page, "R-bad").locator("textarea")).to_have_value('{"approved": tru}')
    assert "event_received" not in history(scene["db"], "R-bad")
    with Engine(scene["db"]) as engine:
        assert engine.pending_events("R-bad") == []


def test_two_people_approving_at_once_deliver_one_event(browser: Any, scene: dict[str, Any]) -> None:
    people = [browser.new_context(base_url=scene["url"]) for _ in range(2)]
    pages = [p.new_page() for p in people]
    for p in pages:
        p.goto("/inbox")
        expect(inbox_row(p, "R-race").locator("button", has_text="Approve")).to_be_enabled()
    # both forms posted before either answer is back, as two people clicking at the same moment
    for p in pages:
        p.evaluate(
            """() => { const f = document.querySelector('tr[data-run="R-race"] form');
                       f.requestSubmit(f.querySelector('button[value=approve]')); }"""
        )
    for p in pages:  # each shows the answer's outcome: the notice after the redirect, or the refusal
        p.wait_for_selector(".notice, .form-error", timeout=20_000)
    texts = [p.locator("main").inner_text() for p in pages]
    for c in people:
        c.close()
    assert sum("Approved:" in t for t in texts) == 1, texts
    assert sum("already answered" in t for t in texts) == 1, texts
    wait_for(lambda: "run_completed" in history(scene["db"], "R-race"), what="the worker to finish R-race")
    assert history(scene["db"], "R-race").count("event_received") == 1


def test_a_double_click_delivers_one_event(page: Page, scene: dict[str, Any]) -> None:
    page.goto("/inbox")
    inbox_row(page, "R-double").locator("button", has_text="Approve").dblclick()
    expect(page.locator(".notice")).to_contain_text("R-double")
    wait_for(
        lambda: "run_completed" in history(scene["db"], "R-double"), what="the worker to finish R-double"
    )
    with Engine(scene["db"]) as engine:
        assert history(scene["db"], "R-double").count("event_received") == 1
        assert engine.pending_events("R-double") == []  # no second answer left buffered


def test_bound_with_a_token_an_unauthenticated_request_is_refused(
    browser: Any, scene: dict[str, Any]
) -> None:
    with ui_process(scene["db"], "--host", "0.0.0.0") as (url, token, _):
        assert token  # generated, since 0.0.0.0 is reachable from elsewhere, and printed
        local = url.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)[1]
        base = f"http://127.0.0.1:{local}"
        context = browser.new_context()
        p = context.new_page()
        refused = p.goto(f"{base}/inbox")
        assert refused is not None and refused.status == 401
        expect(p.locator("body")).to_contain_text("this dashboard needs its token")
        p.goto(f"{base}/inbox?token={token}")
        assert p.url == f"{base}/inbox"  # the token left the address bar for an HttpOnly cookie
        expect(p.locator("h1")).to_have_text("Approvals inbox")
        p.goto(f"{base}/runs/A-1")
        expect(p.locator("h1")).to_have_text("A-1")
        context.close()
