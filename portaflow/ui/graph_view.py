"""A run's workflow drawn as SVG, server-side, with the steps done and the current position marked.

The graph is `portaflow graph`'s (``portaflow.compiler.graph.build`` over the IR the compiler makes from
the run's recorded source file), laid out in layers: each node below all its predecessors along forward
edges, loops drawn back up on the right. No JavaScript and no CDN: the page embeds the SVG as it is. A
source the compiler refuses (or that is gone) yields its message instead of a drawing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portaflow.local_engine.store import EventRow

if TYPE_CHECKING:
    from portaflow.compiler.graph import _G

NODE_H = 34
LAYER_GAP = 30
NODE_GAP = 26
CHAR_W = 7.4  # the width of a character of the nodes' 13px font, near enough for a box around a label
PAD = 16
CACHE_SIZE = 64


@dataclass
class Node:
    id: str
    label: str
    shape: str  # box, round, diamond
    state: str = ""  # done, current, failed, or ""
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0


@dataclass
class Edge:
    src: str
    dst: str
    label: str
    back: bool = False
    d: str = ""  # the SVG path
    lx: float = 0.0  # where its label goes
    ly: float = 0.0
    anchor: str = "start"


@dataclass
class Drawing:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0
    error: str | None = None  # why there is no drawing

    def node(self, nid: str) -> Node:
        return next(n for n in self.nodes if n.id == nid)


class GraphCache:
    """Compiled graphs by (file, its mtime and size, workflow): the compiler runs once per version of the
    source, not on every refresh of a live page."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[Any, ...], tuple[list[Node], list[Edge]] | str] = OrderedDict()

    def get(self, ref: dict[str, Any], workflow: str) -> tuple[list[Node], list[Edge]] | str:
        """The workflow's nodes and edges, or the message saying why it cannot be drawn."""
        file = ref.get("file")
        if not file:
            return f"the run records no source file for module {ref.get('module')!r}: no graph"
        path = Path(file)
        try:
            st = path.stat()
        except OSError:
            return f"{file}: the workflow's source file is not there any more: no graph"
        key = (str(path), st.st_mtime_ns, st.st_size, workflow)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = _compile(path, workflow)
        with self._lock:
            self._items[key] = value
            while len(self._items) > CACHE_SIZE:
                self._items.popitem(last=False)
        return value


def _compile(path: Path, workflow: str) -> tuple[list[Node], list[Edge]] | str:
    from portaflow.compiler.frontend import compile_file
    from portaflow.compiler.graph import build

    try:
        res = compile_file(path, workflow)
    except (OSError, UnicodeDecodeError) as exc:
        return f"{path}: cannot read the workflow's source: {exc}"
    errors = res.errors
    if errors or res.program is None:
        first = errors[0] if errors else None
        where = f"{first.path}:{first.line}:{first.col}: {first.code} {first.message}" if first else ""
        return f"the compiler cannot draw this workflow: {where}".rstrip(": ")
    return _from_graph(build(res.program))


def _from_graph(g: _G) -> tuple[list[Node], list[Edge]]:
    return [Node(i, label, shape) for i, label, shape in g.nodes], [Edge(a, b, lab) for a, b, lab in g.edges]


# ----- where the run is -----------------------------------------------------------------------------


def _labels(events: list[EventRow], status: str, waiting_for: str | None) -> dict[str, str]:
    """The state of each node label the history names: done, failed, current."""
    states: dict[str, str] = {"start": "done"}
    for e in events:
        name = e.name or ""
        if e.kind in ("step_completed", "step_attempt_failed", "step_failed"):
            label = f"step {name}"
            states[label] = {"step_completed": "done", "step_failed": "failed"}.get(e.kind, "current")
            states.setdefault(f"map {name}", "current")
        elif e.kind == "call_started":
            if name.startswith("map:"):
                states[f"map {name[4:]}"] = "current"
            elif not name.startswith("parallel:"):
                states[f"workflow {name}"] = "current"
        elif e.kind == "call_completed":
            states[f"workflow {name}"] = "done"
        elif e.kind == "wait_started":
            states[f"wait for {name}"] = "current"
        elif e.kind in ("event_received", "event_timed_out"):
            states[f"wait for {name}"] = "done"
    if status in ("completed", "failed", "cancelled"):
        for label, state in states.items():
            if state == "current":
                states[label] = "done"
        for label in [k for k in states if k.startswith("map ")]:
            states[label] = "done"
        if status == "completed":
            states["end"] = "done"
    elif waiting_for is not None:
        states[f"wait for {waiting_for}"] = "current"
    return states


def _mark(nodes: list[Node], events: list[EventRow], status: str, waiting_for: str | None) -> list[Node]:
    states = _labels(events, status, waiting_for)
    maps_done = {
        (e.name or "")[4:] for e in events if e.kind == "call_started" and (e.name or "").startswith("map:")
    }
    out = []
    for n in nodes:
        label = n.label.split(" x", 1)[0] if n.label.startswith("map ") else n.label
        state = states.get(label, "")
        if label.startswith("map ") and label[4:] not in maps_done and state == "current":
            state = ""  # a plain step of that name ran, not this map
        out.append(Node(n.id, n.label, n.shape, state))
    return out


# ----- layout ---------------------------------------------------------------------------------------


def _back_edges(nodes: list[Node], edges: list[Edge]) -> set[int]:
    """The edges that close a loop (to a node on the depth-first path), by index."""
    out: dict[str, list[tuple[int, str]]] = {n.id: [] for n in nodes}
    for i, e in enumerate(edges):
        out[e.src].append((i, e.dst))
    back: set[int] = set()
    state: dict[str, int] = {}  # 1 on the path, 2 finished
    stack: list[tuple[str, int]] = [(nodes[0].id, 0)] if nodes else []
    if nodes:
        state[nodes[0].id] = 1
    while stack:
        nid, i = stack.pop()
        if i < len(out[nid]):
            stack.append((nid, i + 1))
            idx, dst = out[nid][i]
            if state.get(dst) == 1:
                back.add(idx)
            elif dst not in state:
                state[dst] = 1
                stack.append((dst, 0))
        else:
            state[nid] = 2
    return back


def layout(nodes: list[Node], edges: list[Edge]) -> Drawing:
    """Layers by longest forward path from the start; in each layer, nodes ordered by their parents'
    positions; every layer centred. ``end`` goes below everything."""
    back = _back_edges(nodes, edges)
    drawn = [Edge(e.src, e.dst, e.label, i in back) for i, e in enumerate(edges)]
    forward = [e for e in drawn if not e.back]
    layer = {n.id: 0 for n in nodes}
    for _ in range(len(nodes)):  # relax until stable (a DAG: at most len(nodes) rounds)
        changed = False
        for e in forward:
            if layer[e.dst] < layer[e.src] + 1:
                layer[e.dst] = layer[e.src] + 1
                changed = True
        if not changed:
            break
    end = next((n.id for n in nodes if n.label == "end" and n.shape == "round"), None)
    if end is not None:  # below everything, alone in its layer
        layer[end] = max((v for k, v in layer.items() if k != end), default=0) + 1
    reachable = ({nodes[0].id} if nodes else set()) | {e.dst for e in drawn}
    kept = [n for n in nodes if n.id in reachable]
    by_layer: dict[int, list[Node]] = {}
    for n in kept:
        n.w = max(60.0, len(n.label) * CHAR_W + (44 if n.shape == "diamond" else 28))
        by_layer.setdefault(layer[n.id], []).append(n)
    parents: dict[str, list[str]] = {}
    for e in forward:
        parents.setdefault(e.dst, []).append(e.src)
    order: dict[str, float] = {}
    width = 0.0
    rows = sorted(by_layer)
    for row in rows:
        members = by_layer[row]
        members.sort(
            key=lambda n: (
                sum(order.get(p, 0.0) for p in parents.get(n.id, [])) / max(1, len(parents.get(n.id, [])))
            )
        )
        for i, n in enumerate(members):
            order[n.id] = i - (len(members) - 1) / 2
        width = max(width, sum(n.w for n in members) + NODE_GAP * (len(members) - 1))
    loops = sum(1 for e in drawn if e.back)
    width += 2 * PAD + (40 + 14 * loops if loops else 0)
    for depth, row in enumerate(rows):
        members = by_layer[row]
        total = sum(n.w for n in members) + NODE_GAP * (len(members) - 1)
        x = (width - (40 + 14 * loops if loops else 0) - total) / 2
        for n in members:
            n.x, n.y = x, PAD + depth * (NODE_H + LAYER_GAP)
            x += n.w + NODE_GAP
    height = PAD * 2 + len(rows) * (NODE_H + LAYER_GAP) - LAYER_GAP
    where = {n.id: n for n in kept}
    shown = [e for e in drawn if e.src in where and e.dst in where]
    lane = width - PAD - 20
    for e in shown:
        _route(e, where[e.src], where[e.dst], lane)
        if e.back:
            lane -= 14
    return Drawing(kept, shown, width, height)


def _route(e: Edge, a: Node, b: Node, lane: float) -> None:
    """The edge's path: a curve down from ``a``'s bottom to ``b``'s top, or for a loop, out of ``a``'s
    right side, up a lane at the right, into ``b``'s right side."""
    if e.back:
        y1, y2 = a.y + NODE_H / 2, b.y + NODE_H / 2
        x1, x2 = a.x + a.w, b.x + b.w
        e.d = f"M{x1:.1f},{y1:.1f} H{lane:.1f} V{y2:.1f} H{x2 + 2:.1f}"
        e.lx, e.ly = lane + 4, (y1 + y2) / 2
        e.anchor = "start"
        return
    x1, y1 = a.x + a.w / 2, a.y + NODE_H
    x2, y2 = b.x + b.w / 2, b.y - 2
    drop = ""
    if y2 - y1 > NODE_H + LAYER_GAP:  # across layers: straight down beside the nodes between, then in
        bend = y2 - LAYER_GAP + 2
        drop, y1 = f" V{bend:.1f}", bend
    mid = (y2 - y1) / 2
    curve = f"C{x1:.1f},{y1 + mid:.1f} {x2:.1f},{y2 - mid:.1f} {x2:.1f},{y2:.1f}"
    e.d = f"M{x1:.1f},{a.y + NODE_H:.1f}{drop} {curve}"
    # the label beside the edge's start, on the side it leaves to: a branch's labels stay apart
    e.lx = x1 + (6 if x2 >= x1 else -6)
    e.ly = a.y + NODE_H + 13
    e.anchor = "start" if x2 >= x1 else "end"


def drawing(
    cache: GraphCache,
    ref: dict[str, Any],
    workflow: str,
    events: list[EventRow],
    status: str,
    waiting_for: str | None,
) -> Drawing:
    """The run's graph, marked and laid out; or a Drawing with only ``error`` set."""
    got = cache.get(ref, workflow)
    if isinstance(got, str):
        return Drawing(error=got)
    nodes, edges = got
    return layout(_mark(nodes, events, status, waiting_for), edges)
