"""The ``portaflow`` command: run, signal, worker, status, history, list, cancel (and the tool commands).

Exit codes: 0 completed (or done), 1 failed or cancelled, 2 bad usage or input, 3 not finished yet
(waiting for an event or a timer, or executing elsewhere). Errors a user can cause print one line.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from portaflow.compiler.cli import add_parsers as add_compiler_parsers
from portaflow.dsl.durations import format_duration, parse_duration
from portaflow.dsl.errors import PortaflowError
from portaflow.local_engine import Engine, RunStatus, default_db_path, load_target

LINT_HELP = "check workflow code for nondeterminism that breaks replay"

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PENDING = 0, 1, 2, 3


def _exit_code(st: RunStatus) -> int:
    if st.status == "completed":
        return EXIT_OK
    if st.status in ("failed", "cancelled") or st.error is not None:
        return EXIT_FAILED
    return EXIT_PENDING


def _when(ts: float | None) -> str:
    if ts is None:
        return "-"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S")


class _StderrReporter:
    """Prints each step as it runs: name, attempt, duration, retries."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.lock = threading.Lock()

    def __call__(self, run_id: str, kind: str, f: dict[str, Any]) -> None:
        if self.quiet:
            return
        line = self._line(run_id, kind, f)
        if line:
            with self.lock:
                print(line, file=sys.stderr, flush=True)

    @staticmethod
    def _line(run_id: str, kind: str, f: dict[str, Any]) -> str | None:
        if kind == "step_completed":
            tries = f" (attempt {f['attempt']})" if f["attempt"] > 1 else ""
            return f"  step {f['step']} ok in {format_duration(f['duration'])}{tries}"
        if kind == "step_retry":
            err = f["error"]
            return (
                f"  step {f['step']} attempt {f['attempt']} failed: {err['type']}: {err['message']}"
                f"; retrying in {format_duration(f['delay'])}"
            )
        if kind == "step_failed":
            err = f["error"]
            return (
                f"  step {f['step']} failed after {f['attempt']} attempt(s) ({f['reason']}): "
                f"{err['type']}: {err['message']}"
            )
        if kind == "sleeping":
            return f"  sleeping {format_duration(f['seconds'])} (until {_when(f['until'])} UTC)"
        if kind == "waiting":
            timeout = f" (timeout at {_when(f['timeout_at'])} UTC)" if f["timeout_at"] else ""
            return f"  waiting for event {f['event']!r}{timeout}"
        if kind == "event_received":
            return f"  received event {f['event']!r}"
        if kind == "event_timed_out":
            return f"  event {f['event']!r} timed out"
        if kind == "recovered":
            return f"  recovering run {run_id}: {f['reason']}"
        if kind == "stalled":
            return f"  run {run_id} stalled: {f['message']}"
        if kind in ("completed", "failed", "cancelled"):
            extra = f": {f['error']['type']}: {f['error']['message']}" if f.get("error") else ""
            return f"run {run_id} {kind}{extra}"
        return None


def _parse_json(text: str, what: str) -> Any:
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise PortaflowError(f"{what}: cannot read {text[1:]}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PortaflowError(
            f"{what} is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
            """write e.g. '{"ticket": {"id": 1}}' or @file.json"""
        ) from None


def _duration_arg(value: str | None, flag: str) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration(value, what=flag)
    except ValueError as exc:
        raise PortaflowError(str(exc)) from None


def _engine(
    args: argparse.Namespace, reporter: _StderrReporter | None = None, *, create: bool = True
) -> Engine:
    """The engine on --db; commands that only act on existing runs do not create a database."""
    db = args.db or default_db_path()
    if not create and not Path(db).exists():
        raise PortaflowError(
            f"{db}: no such database (runs are recorded by `portaflow run`); check --db or $PORTAFLOW_DB"
        )
    return Engine(db, reporter=reporter)


def _print_status(st: RunStatus) -> int:
    print(json.dumps(st.to_json()), flush=True)
    return _exit_code(st)


def cmd_run(args: argparse.Namespace) -> int:
    max_wait = _duration_arg(args.max_wait, "--max-wait")
    wf = load_target(args.target)
    data = _parse_json(args.input, "--input") if args.input is not None else {}
    reporter = _StderrReporter(args.quiet)
    with _engine(args, reporter) as engine:
        handle = engine.submit(wf, data, run_id=args.run_id)
        if handle.existed:
            st = engine.status(handle.run_id)
            print(
                f"run {handle.run_id} exists already ({st.status}): continuing it as it was started; "
                "--input was not used (pick a new --run-id to start another run)",
                file=sys.stderr,
                flush=True,
            )
        elif not args.quiet:
            print(f"run {handle.run_id} ({wf.name}) started", file=sys.stderr, flush=True)
        st = engine.execute(handle.run_id, max_wait=max_wait)
        return _print_status(st)


def cmd_signal(args: argparse.Namespace) -> int:
    max_wait = _duration_arg(args.max_wait, "--max-wait")
    payload = _parse_json(args.data, "--data") if args.data is not None else None
    with _engine(args, _StderrReporter(args.quiet), create=False) as engine:
        return _print_status(engine.signal(args.run_id, args.event, payload, max_wait=max_wait))


def cmd_worker(args: argparse.Namespace) -> int:
    if args.concurrency < 1:
        raise PortaflowError("--concurrency must be at least 1")
    reporter = _StderrReporter(args.quiet)
    stop = threading.Event()

    def on_term(signum: int, frame: Any) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_term)
    errors: list[str] = []

    def on_error(run_id: str, exc: BaseException) -> None:
        errors.append(run_id)
        print(f"  run {run_id}: {exc}", file=sys.stderr, flush=True)

    try:
        with _engine(args, reporter) as engine:
            driven = engine.work(concurrency=args.concurrency, drain=args.drain, stop=stop, on_error=on_error)
            for st in engine.list_runs("running"):
                if st.error is not None and st.error.get("type") == "NonDeterminismError":
                    errors.append(st.run_id)
                    print(f"  run {st.run_id} is stalled: {st.error.get('message')}", file=sys.stderr)
            if not args.quiet:
                counts: dict[str, int] = {}
                for st in engine.list_runs():
                    counts[st.status] = counts.get(st.status, 0) + 1
                summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no runs"
                print(f"worker stopped after {driven} activation(s); runs: {summary}", file=sys.stderr)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return EXIT_FAILED if errors else EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    with _engine(args, create=False) as engine:
        st = engine.status(args.run_id)
    if args.json:
        print(json.dumps(st.to_json(timestamps=True)))
        return EXIT_OK
    line = f"{st.run_id}  {st.workflow}  {st.status}"
    if st.status == "waiting" and st.waiting_for:
        line += f" for event {st.waiting_for!r}"
    if st.wake_at is not None and st.status == "waiting":
        line += f" (until {_when(st.wake_at)} UTC)"
    if st.status == "completed":
        line += f"\noutput: {json.dumps(st.output)}"
    if st.error is not None:
        line += f"\nerror: {st.error.get('type')}: {st.error.get('message')}"
    print(line)
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    with _engine(args, create=False) as engine:
        events = engine.history(args.run_id)
    if args.json:
        print(
            json.dumps(
                [
                    {"seq": e.seq, "kind": e.kind, "key": e.key, "name": e.name, "at": e.at, "data": e.data}
                    for e in events
                ]
            )
        )
        return EXIT_OK
    for e in events:
        label = " ".join(x for x in (e.name or "", f"[{e.key}]" if e.key else "") if x)
        data = json.dumps(e.data, separators=(",", ":"))
        if len(data) > 160:
            data = data[:157] + "..."
        print(f"{e.seq:>5}  {_when(e.at)}  {e.kind:<20} {label:<28} {data}")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    with _engine(args, create=False) as engine:
        runs = engine.list_runs(args.status)
    if args.json:
        print(json.dumps([r.to_json(timestamps=True) for r in runs]))
        return EXIT_OK
    for r in runs:
        extra = f" for {r.waiting_for!r}" if r.status == "waiting" and r.waiting_for else ""
        state = f"{r.status}{extra}"
        print(f"{r.run_id:<24} {r.workflow:<24} {state:<28} {_when(r.updated_at)}")
    return EXIT_OK


def cmd_cancel(args: argparse.Namespace) -> int:
    with _engine(args, create=False) as engine:
        before = engine.status(args.run_id)
        if before.done:
            print(f"run {args.run_id} is already {before.status}; nothing to cancel", file=sys.stderr)
        st = engine.cancel(args.run_id)
    print(json.dumps(st.to_json()))
    return EXIT_OK


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The CLI's parser; ``command`` is the subcommand about to run, the only one whose parser may need
    heavy imports (see ``main``), so that `portaflow --help`, `run` and `status` start fast."""
    parser = argparse.ArgumentParser(
        prog="portaflow", description="Durable workflows: run locally, lint, compile to cloud engines."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def db_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", help="database file (default: $PORTAFLOW_DB or .portaflow/runs.db)")

    def max_wait_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--max-wait",
            metavar="DURATION",
            help="wait out timers due within this long (default: all); a later timer leaves the run "
            "waiting for `portaflow worker` (exit 3)",
        )

    p = sub.add_parser("run", help="start a workflow run and execute it until it ends or waits for an event")
    p.add_argument("target", metavar="FILE[:WORKFLOW]")
    p.add_argument(
        "--input", help="the run's input: a JSON object of the workflow's parameters, or @file.json"
    )
    p.add_argument("--run-id", help="use this run id (starting an existing id returns that run)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the final JSON line")
    max_wait_option(p)
    db_option(p)
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("signal", help="send an event to a run and continue it")
    p.add_argument("run_id", metavar="RUN_ID")
    p.add_argument("event", metavar="EVENT")
    p.add_argument("--data", help="the event's payload (JSON, or @file.json)")
    p.add_argument("-q", "--quiet", action="store_true")
    max_wait_option(p)
    db_option(p)
    p.set_defaults(handler=cmd_signal)

    p = sub.add_parser("worker", help="execute runnable runs, fire due timers, recover crashed runs")
    p.add_argument("--concurrency", type=int, default=4, help="runs executed at once (default 4)")
    p.add_argument("--drain", action="store_true", help="exit once nothing is runnable")
    p.add_argument("-q", "--quiet", action="store_true")
    db_option(p)
    p.set_defaults(handler=cmd_worker)

    p = sub.add_parser("status", help="show a run's status")
    p.add_argument("run_id", metavar="RUN_ID")
    p.add_argument("--json", action="store_true")
    db_option(p)
    p.set_defaults(handler=cmd_status)

    p = sub.add_parser("history", help="show a run's event log")
    p.add_argument("run_id", metavar="RUN_ID")
    p.add_argument("--json", action="store_true")
    db_option(p)
    p.set_defaults(handler=cmd_history)

    p = sub.add_parser("list", help="list runs")
    p.add_argument("--status", choices=["running", "waiting", "completed", "failed", "cancelled"])
    p.add_argument("--json", action="store_true")
    db_option(p)
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("cancel", help="cancel a run")
    p.add_argument("run_id", metavar="RUN_ID")
    db_option(p)
    p.set_defaults(handler=cmd_cancel)

    if command == "lint":  # the linter's parser imports libcst and every rule: only for `portaflow lint`
        from portaflow.lint.cli import add_parser as add_lint_parser

        add_lint_parser(sub)
    else:
        sub.add_parser("lint", help=LINT_HELP, add_help=False)
    add_compiler_parsers(sub)
    return parser


def _command(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv`` (the first argument that is not an option), if any."""
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(_command(argv)).parse_args(argv)
    try:
        code: int = args.handler(args)
        return code
    except PortaflowError as exc:
        print(f"portaflow: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.Error as exc:  # disk full, locked for over a minute, file removed underneath...
        print(f"portaflow: error: the database refused the operation: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a bug of ours: one line for the user, the traceback on request
        if os.environ.get("PORTAFLOW_DEBUG"):
            raise
        print(
            f"portaflow: internal error: {type(exc).__name__}: {exc} (a bug in portaflow; set "
            "PORTAFLOW_DEBUG=1 to see the traceback, and please report it)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(
            "portaflow: interrupted; recorded progress is kept and `portaflow worker` resumes the run",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
