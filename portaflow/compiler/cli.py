"""``portaflow compile`` and ``portaflow graph``; main's CLI calls :func:`add_parsers`.

Building the parsers imports nothing heavy: the targets are read from the backend registry only when
``--target`` is checked or the help is printed, and the frontend only when a command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .diagnostics import render_all

if TYPE_CHECKING:
    from portaflow.backends.base import Backend

    from .frontend import CompileResult

IR_TARGET = "ir"  # the IR as JSON: no backend


class _Targets:
    """``--target``'s choices, read from the registry when argparse first looks at them."""

    def _all(self) -> list[str]:
        from portaflow import backends

        return [IR_TARGET, *backends.names()]

    def __contains__(self, value: object) -> bool:
        return value in self._all()

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())


def add_parsers(subparsers: Any) -> None:
    c = subparsers.add_parser(
        "compile",
        help="compile a workflow to the IR or a cloud target",
        description="Compile FILE[:WORKFLOW] without importing it (the name may be left out when FILE "
        "defines one workflow). `--list-targets` lists the installed targets.",
    )
    c.add_argument("ref", metavar="FILE[:WORKFLOW]", nargs="?")
    c.add_argument(
        "--target",
        choices=_Targets(),
        default=IR_TARGET,
        metavar="TARGET",
        help="ir (default) or an installed backend: %(choices)s",
    )
    c.add_argument("-o", "--out", metavar="DIR", help="output folder (required for every target but ir)")
    c.add_argument(
        "--force",
        action="store_true",
        help="replace files in --out that portaflow did not write (or that changed since it did)",
    )
    c.add_argument("--list-targets", action="store_true", help="list the installed compile targets and exit")
    c.set_defaults(handler=compile_command)
    g = subparsers.add_parser(
        "graph",
        help="draw a workflow's control flow",
        description="Draw FILE[:WORKFLOW] as Mermaid (default) or Graphviz dot.",
    )
    g.add_argument("ref", metavar="FILE[:WORKFLOW]")
    g.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    g.set_defaults(handler=graph_command)


def _backend(target: str) -> Backend | None:
    if target == IR_TARGET:
        return None
    from portaflow import backends

    return backends.get(target)


def _load(ref: str, target: str = IR_TARGET) -> tuple[CompileResult | None, int]:
    """Compile ``ref`` and print every diagnostic, the ``target``'s included (all in one run)."""
    from portaflow.source.refs import split_ref  # the one FILE[:WORKFLOW] parser, `portaflow run`'s too

    from .frontend import compile_file
    from .pipeline import diagnose

    path, wf = split_ref(ref)
    if not path.is_file():
        print(f"portaflow: no such file: {path}", file=sys.stderr)
        return None, 2
    try:
        res = compile_file(path, wf)
    except (OSError, UnicodeDecodeError) as e:
        print(f"portaflow: cannot read {path}: {e}", file=sys.stderr)
        return None, 2
    diagnostics = diagnose(res, _backend(target))
    if diagnostics:
        print(render_all(diagnostics, res.sources), file=sys.stderr)
    if any(d.severity == "error" for d in diagnostics) or res.program is None:
        return res, 1
    return res, 0


def list_targets() -> int:
    from portaflow import backends

    print(f"{IR_TARGET:<12} the IR every backend consumes, as JSON (docs/ir.md)")
    for name in backends.names():
        try:
            b = backends.get(name)
        except Exception as exc:  # a broken third-party backend: say so, list the others
            print(f"{name:<12} (cannot be loaded: {type(exc).__name__}: {exc})")
            continue
        offline = "" if b.has_offline else " [no offline executor]"
        print(f"{name:<12} {b.summary}{offline}")
        print(f"{'':<12} {b.capabilities.describe()}")
    return 0


def compile_command(args: argparse.Namespace) -> int:
    if args.list_targets:
        return list_targets()
    if args.ref is None:
        print("portaflow: compile needs FILE[:WORKFLOW] (or --list-targets)", file=sys.stderr)
        return 2
    if args.target != IR_TARGET and not args.out:
        print(f"portaflow: --target {args.target} needs --out DIR", file=sys.stderr)
        return 2
    res, code = _load(args.ref, args.target)
    if res is None or code or res.program is None:
        return code
    if args.target == IR_TARGET:
        from . import ir

        text = json.dumps(ir.to_json(res.program), indent=2)
        if not args.out:
            print(text)
            return 0
        from portaflow.backends.project import Project

        project = Project(IR_TARGET, main_files=(f"{res.program.entry}.ir.json",))
        project.add(f"{res.program.entry}.ir.json", text + "\n")
    else:
        backend = _backend(args.target)
        assert backend is not None
        from portaflow.source.refs import split_ref

        project = backend.compile(res.program, split_ref(args.ref)[0])
    return _write(project, Path(args.out), args.force)


def _write(project: Any, out: Path, force: bool) -> int:
    from portaflow.backends.project import ProjectConflict

    try:
        project.write(out, force=force)
    except ProjectConflict as e:
        print(f"portaflow: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"portaflow: cannot write {out}: {e}", file=sys.stderr)
        return 2
    print(f"wrote {out}/ ({', '.join(project.main_files)})")
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
