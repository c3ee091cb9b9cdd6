"""The run page's graph: `portaflow graph`'s nodes and edges laid out as SVG, marked from the history."""

from __future__ import annotations

from pathlib import Path

from portaflow.local_engine.store import EventRow
from portaflow.ui.graph_view import NODE_H, GraphCache, drawing

LOOP = """
from portaflow import Context, step, workflow


@step
def fetch(page: int) -> list:
    return []


@step
def store(rows: list) -> int:
    return len(rows)


@workflow
def crawl(ctx: Context, pages: int) -> int:
    total = 0
    for page in range(pages):
        rows = fetch(page)
        stored = store(rows)
        total += stored
    return total
"""


def event(seq: int, kind: str, name: str | None) -> EventRow:
    return EventRow(seq, kind, "k", name, {}, 0.0)


def test_a_loop_is_laid_out_top_down_with_its_back_edge_and_marks(tmp_path: Path) -> None:
    source = tmp_path / "crawl.py"
    source.write_text(LOOP)
    events = [event(1, "run_started", "crawl"), event(2, "step_completed", "fetch"),
              event(3, "step_attempt_failed", "store")]  # fmt: skip
    d = drawing(GraphCache(), {"file": str(source), "module": "crawl"}, "crawl", events, "waiting", None)
    assert d.error is None
    by_label = {n.label: n for n in d.nodes}
    assert set(by_label) == {"start", "end", "for L18", "step fetch", "step store", "return"}
    order = ["start", "for L18", "step fetch", "step store"]
    assert [by_label[x].y for x in order] == sorted(by_label[x].y for x in order)  # top down
    assert by_label["end"].y == max(n.y for n in d.nodes)
    assert {n.label: n.state for n in d.nodes if n.state} == {
        "start": "done", "step fetch": "done", "step store": "current",  # retrying
    }  # fmt: skip
    back = [e for e in d.edges if e.back]
    assert [(by_label_of(d, e.src), by_label_of(d, e.dst)) for e in back] == [("step store", "for L18")]
    for n in d.nodes:  # every node inside the drawing
        assert n.x >= 0 and n.x + n.w <= d.width and n.y >= 0 and n.y + NODE_H <= d.height


def by_label_of(d: object, nid: str) -> str:
    return next(n.label for n in d.nodes if n.id == nid)  # type: ignore[attr-defined]


def test_a_source_that_is_gone_or_refused_is_a_message(tmp_path: Path) -> None:
    cache = GraphCache()
    gone = drawing(cache, {"file": str(tmp_path / "nope.py"), "module": "nope"}, "w", [], "running", None)
    assert gone.error == f"{tmp_path / 'nope.py'}: the workflow's source file is not there any more: no graph"
    refused = tmp_path / "refused.py"
    refused.write_text(
        "from portaflow import Context, workflow\n\n\n@workflow\ndef w(ctx: Context) -> int:\n"
        "    while True:\n        pass\n    return eval('1')\n"
    )
    got = drawing(cache, {"file": str(refused), "module": "refused"}, "w", [], "running", None)
    assert got.error is not None and got.error.startswith("the compiler cannot draw this workflow: ")
    assert f"{refused}:" in got.error
    no_file = drawing(cache, {"file": None, "module": "m"}, "w", [], "running", None)
    assert no_file.error == "the run records no source file for module 'm': no graph"
