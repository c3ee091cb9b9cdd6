"""Draw a workflow's control flow from the IR, as Mermaid or Graphviz dot."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import ir


@dataclass
class _G:
    nodes: list[tuple[str, str, str]] = field(default_factory=list)  # id, label, shape
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # from, to, label

    def node(self, label: str, shape: str = "box") -> str:
        nid = f"n{len(self.nodes)}"
        self.nodes.append((nid, label, shape))
        return nid


def _label(s: ir.Stmt, program: ir.Program) -> tuple[str, str]:
    if isinstance(s, ir.StepCall):
        return f"step {program.steps[s.step].name}", "box"
    if isinstance(s, ir.ChildWorkflowCall):
        return f"workflow {program.workflows[s.workflow].name}", "box"
    if isinstance(s, ir.StartWorkflow):
        verb = "run" if s.wait else "start"
        return f"{verb} workflow {program.workflows[s.workflow].name} (own run)", "box"
    if isinstance(s, ir.AwaitWorkflow):
        return f"wait for run of {program.workflows[s.workflow].name}", "box"
    if isinstance(s, ir.MapCall):
        mc = f" x{s.max_concurrency}" if isinstance(s.max_concurrency, int) else ""
        fn = program.steps[s.step].name if s.step is not None else program.workflows[str(s.workflow)].name
        return f"map {fn}{mc}", "box"
    if isinstance(s, ir.ParallelCall):
        return f"parallel ({len(s.branches)} branches)", "box"
    if isinstance(s, ir.Sleep):
        return "sleep", "round"
    if isinstance(s, ir.WaitForEvent):
        return f"wait for {s.event if isinstance(s.event, str) else '(computed)'}", "round"
    if isinstance(s, ir.Primitive):
        return f"ctx.{s.op}()", "round"
    if isinstance(s, ir.Raise):
        return f"raise {s.error_type or ''}".strip(), "round"
    if isinstance(s, ir.Return):
        return "return", "round"
    return s.kind, "box"


def build(program: ir.Program) -> _G:
    g = _G()
    start = g.node("start", "round")
    end = g.node("end", "round")
    wf = program.workflows[program.entry]

    def block(
        body: tuple[ir.Stmt, ...],
        preds: list[tuple[str, str]],
        loop: tuple[str, list[tuple[str, str]]] | None,
    ) -> list[tuple[str, str]]:
        for s in body:
            if not preds:
                return []
            if isinstance(s, (ir.Assign, ir.SetItem, ir.Log)):  # no durable call: not a node
                continue
            if isinstance(s, ir.If):
                n = g.node(f"if L{s.loc.line}", "diamond")
                for p, lab in preds:
                    g.edges.append((p, n, lab))
                preds = block(s.body, [(n, "true")], loop) + block(s.orelse, [(n, "false")], loop)
                continue
            if isinstance(s, (ir.While, ir.For)):
                n = g.node(("while" if isinstance(s, ir.While) else "for") + f" L{s.loc.line}", "diamond")
                for p, lab in preds:
                    g.edges.append((p, n, lab))
                exits: list[tuple[str, str]] = [(n, "done")]
                back = block(s.body, [(n, "next")], (n, exits))
                for p, lab in back:
                    g.edges.append((p, n, lab))
                preds = exits
                continue
            if isinstance(s, ir.Try):
                n = g.node(f"try L{s.loc.line}", "diamond")
                for p, lab in preds:
                    g.edges.append((p, n, lab))
                out = block(s.body + s.orelse, [(n, "")], loop)
                for h in s.handlers:
                    out += block(h.body, [(n, "except " + ("/".join(h.types) or "all"))], loop)
                preds = block(s.finalbody, out, loop) if s.finalbody else out
                continue
            if isinstance(s, (ir.Break, ir.Continue)):
                if loop is not None:
                    if isinstance(s, ir.Break):
                        loop[1].extend(preds)
                    else:
                        for p, lab in preds:
                            g.edges.append((p, loop[0], lab))
                return []
            label, shape = _label(s, program)
            n = g.node(label, shape)
            for p, lab in preds:
                g.edges.append((p, n, lab))
            if isinstance(s, ir.Return):
                g.edges.append((n, end, ""))
                return []
            if isinstance(s, ir.Raise):
                return []
            preds = [(n, "")]
        return preds

    for p, lab in block(wf.body, [(start, "")], None):
        g.edges.append((p, end, lab))
    return g


def _esc(s: str) -> str:
    return s.replace('"', "'")


def to_mermaid(program: ir.Program) -> str:
    g = build(program)
    lines = ["flowchart TD"]
    for nid, label, shape in g.nodes:
        o, c = {"box": ("[", "]"), "round": ("([", "])"), "diamond": ("{", "}")}[shape]
        lines.append(f'    {nid}{o}"{_esc(label)}"{c}')
    for a, b, lab in g.edges:
        lines.append(f"    {a} -->|{_esc(lab)}| {b}" if lab else f"    {a} --> {b}")
    return "\n".join(lines) + "\n"


def to_dot(program: ir.Program) -> str:
    g = build(program)
    lines = [f'digraph "{_esc(program.entry)}" {{', "    node [fontname=Helvetica];"]
    for nid, label, shape in g.nodes:
        dshape = {"box": "box", "round": "ellipse", "diamond": "diamond"}[shape]
        lines.append(f'    {nid} [label="{_esc(label)}", shape={dshape}];')
    for a, b, lab in g.edges:
        lines.append(f'    {a} -> {b} [label="{_esc(lab)}"];' if lab else f"    {a} -> {b};")
    lines.append("}")
    return "\n".join(lines) + "\n"
