"""``portaflow compile`` and ``portaflow graph``; main's CLI calls :func:`add_parsers`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import ir
from .diagnostics import render_all
from .frontend import CompileResult, compile_file

TARGETS = ("ir", "aws")


def add_parsers(subparsers: Any) -> None:
    c = subparsers.add_parser(
        "compile",
        help="compile a workflow to the IR or a cloud target",
        description="Compile FILE[:WORKFLOW] without importing it (the name may be left out when FILE "
        "defines one workflow).",
    )
    c.add_argument("ref", metavar="FILE[:WORKFLOW]")
    c.add_argument("--target", choices=TARGETS, default="ir")
    c.add_argument("--out", metavar="DIR", help="output folder (required for --target aws)")
    c.set_defaults(handler=compile_command)
    g = subparsers.add_parser(
        "graph",
        help="draw a workflow's control flow",
        description="Draw FILE[:WORKFLOW] as Mermaid (default) or Graphviz dot.",
    )
    g.add_argument("ref", metavar="FILE[:WORKFLOW]")
    g.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    g.set_defaults(handler=graph_command)


def _split(ref: str) -> tuple[Path, str | None]:
    from portaflow.source.refs import split_ref  # the one FILE[:WORKFLOW] parser, `portaflow run`'s too

    return split_ref(ref)


def _load(ref: str, target: str = "ir") -> tuple[CompileResult | None, int]:
    """Compile ``ref`` and print every diagnostic, the ``target``'s included (all in one run)."""
    path, wf = _split(ref)
    if not path.is_file():
        print(f"portaflow: no such file: {path}", file=sys.stderr)
        return None, 2
    try:
        res = compile_file(path, wf)
    except (OSError, UnicodeDecodeError) as e:
        print(f"portaflow: cannot read {path}: {e}", file=sys.stderr)
        return None, 2
    diagnostics = res.diagnostics
    if target == "aws":
        from portaflow.backends.aws.asl import aws_diagnostics

        diagnostics = aws_diagnostics(res.diagnostics, res.program)
    if diagnostics:
        print(render_all(diagnostics, res.sources), file=sys.stderr)
    if any(d.severity == "error" for d in diagnostics) or res.program is None:
        return res, 1
    return res, 0


def compile_command(args: argparse.Namespace) -> int:
    if args.target == "aws" and not args.out:
        print("portaflow: --target aws needs --out DIR", file=sys.stderr)
        return 2
    res, code = _load(args.ref, args.target)
    if res is None or code or res.program is None:
        return code
    if args.target == "ir":
        text = json.dumps(ir.to_json(res.program), indent=2)
        if args.out:
            out = Path(args.out)
            try:
                out.mkdir(parents=True, exist_ok=True)
                (out / f"{res.program.entry}.ir.json").write_text(text + "\n")
            except OSError as e:
                print(f"portaflow: cannot write {args.out}: {e}", file=sys.stderr)
                return 2
        else:
            print(text)
        return 0
    from portaflow.backends.aws.project import render_project

    path, _ = _split(args.ref)
    try:
        _, diags = render_project(res.program, path, Path(args.out))  # diagnostics printed by _load
    except OSError as e:
        print(f"portaflow: cannot write {args.out}: {e}", file=sys.stderr)
        return 2
    if any(d.severity == "error" for d in diags):
        return 1
    print(f"wrote {args.out}/ (statemachine.asl.json, template.yaml, src/, README.md)")
    return 0


def graph_command(args: argparse.Namespace) -> int:
    from .graph import to_dot, to_mermaid

    res, code = _load(args.ref)
    if res is None or code or res.program is None:
        return code
    print(to_mermaid(res.program) if args.format == "mermaid" else to_dot(res.program), end="")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="portaflow")
    sub = parser.add_subparsers(dest="command", required=True)
    add_parsers(sub)
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return int(e.code or 0) and 2
    code: int = args.handler(args)
    return code
