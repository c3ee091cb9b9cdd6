"""The ``portaflow`` command: run, signal, worker, schedules, status, history, list, cancel, retry, prune,
ui (and the tool commands: lint, compile, graph, stephost).

Exit codes (docs/cli.md): 0 completed (or done), 1 failed or cancelled, 2 bad usage or input, 3 waiting
for an event (or executing elsewhere), 4 sleeping: a timer due later than --max-wait, left to
`portaflow worker`; 130 interrupted. Errors a user can cause print one line.
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
from typing import TYPE_CHECKING, Any

from portaflow.compiler.cli import add_parsers as add_compiler_parsers
from portaflow.dsl.durations import format_duration, parse_duration
from portaflow.dsl.errors import PortaflowError, check_error_type

if TYPE_CHECKING:  # the engine is imported by the commands that use it: `portaflow --help` needs none of it
    from portaflow.local_engine import Engine, RunStatus

# `portaflow lint`'s line in the list of commands; portaflow/lint/cli.py uses it for its own parser
LINT_HELP = "check workflow code for nondeterminism that breaks replay"
# `portaflow stephost`'s line; portaflow/stephost/cli.py uses it for its own parser
STEPHOST_HELP = "serve a workflow's steps over signed HTTP, for targets that call Python steps remotely"

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PENDING, EXIT_SLEEPING = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130

# `run` and `signal` wait out in place the timers due this soon (retry backoffs, short sleeps); a later one
# leaves the run to `portaflow worker` (exit 4) instead of holding the terminal for, say, a day
DEFAULT_MAX_WAIT = "10s"
DEFAULT_GRACE = "10s"  # a stopping worker lets the steps under way finish for this long

# the commands that act on a database (`--db`); the others (lint, compile, graph) only read source files
DB_COMMANDS = ("run", "signal", "worker", "status", "history", "list", "cancel", "retry", "prune", "ui")
# `portaflow ui`'s line; portaflow/ui/cli.py has its options (and imports nothing heavy itself)
UI_HELP = (
    "serve a local web dashboard: runs, their timelines and graphs, an inbox of runs waiting for an event"
)


def _sleeping(st: RunStatus) -> bool:
    """Waiting for a timer only (a sleep or a retry backoff): nothing to do but let a worker run it."""
    return st.status == "waiting" and st.waiting_for is None and st.wake_at is not None


def _exit_code(st: RunStatus) -> int:
    if st.status == "completed":
        return EXIT_OK
    if st.status in ("failed", "cancelled") or st.error is not None:
        return EXIT_FAILED
    if _sleeping(st):
        return EXIT_SLEEPING
    return EXIT_PENDING


def _iso(ts: float) -> str:
    """The time as `status --json` prints it: ISO 8601 in UTC, e.g. 2026-11-29T09:00:00.250000Z."""
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def _when(ts: float | None) -> str:
    if ts is None:
        return "-"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S")


class _StderrReporter:
    """Prints each step as it runs: name, attempt, duration, retries."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.lock = threading.Lock()
        self.stalled: set[str] = set()  # runs whose stall was printed already
        self.released: list[str] = []  # runs a stopping worker released before their next step
        self.abandoned: list[str] = []  # runs whose step outlived a stopping worker's grace period
        self.stop_reason = "stop"

    def __call__(self, run_id: str, kind: str, f: dict[str, Any]) -> None:
        if kind == "stalled":
            self.stalled.add(run_id)
        elif kind == "released" and f.get("shutdown"):
            self.released.append(run_id)
        elif kind == "abandoned":
            self.abandoned.append(run_id)
        if self.quiet:
            return
        if kind == "stopping":
            n = len(f["runs"])
            line: str | None = (
                f"worker: {self.stop_reason}: starting no new steps; waiting up to "
                f"{format_duration(f['grace'])} for the step(s) of {n} run(s) under way "
                "(send it again to leave them to recovery now)"
            )
        else:
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
            where = f" (called at {err['site']})" if err.get("site") else ""
            return (
                f"  step {f['step']} failed after {f['attempt']} attempt(s) ({f['reason']}): "
                f"{err['type']}: {err['message']}{where}"
            )
        if kind == "log":  # ctx.log: once, as the history has it
            fields = "".join(f" {k}={json.dumps(v)}" for k, v in f["fields"].items())
            return f"  log: {f['message']}{fields}"
        if kind == "sleeping":
            return f"  sleeping {format_duration(f['seconds'])} (until {_when(f['until'])} UTC)"
        if kind == "waiting":
            timeout = f" (timeout at {_when(f['timeout_at'])} UTC)" if f["timeout_at"] else ""
            label = f" ({f['label']})" if f.get("label") else ""
            return f"  waiting for event {f['event']!r}{label}{timeout}"
        if kind == "event_received":
            return f"  received event {f['event']!r}"
        if kind == "event_failed":
            err = f["error"]
            return f"  event {f['event']!r} arrived as a failure: {err['type']}: {err['message']}"
        if kind == "event_timed_out":
            return f"  event {f['event']!r} timed out"
        if kind == "recovered":
            return f"  recovering run {run_id}: {f['reason']}"
        if kind == "stalled":
            return f"  run {run_id} stalled: {f['message']}"
        if kind == "scheduled":
            return f"run {run_id} ({f['workflow']}) started for its schedule's tick {f['tick']}"
        if kind == "resumed":
            again = ", ".join(f"[{k}]" for k in f["reset"]) or "none (it failed in workflow code)"
            return f"run {run_id} resumed: recorded steps replay; failed step(s) attempted again: {again}"
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
    from portaflow.local_engine import Engine, default_db_path

    db = args.db or default_db_path()
    if not create and not Path(db).exists():
        raise PortaflowError(
            f"{db}: no such database (runs are recorded by `portaflow run`); check --db or $PORTAFLOW_DB"
        )
    return Engine(db, reporter=reporter)


def _max_wait(args: argparse.Namespace) -> float | None:
    """--max-wait in seconds; None for `all` (wait out every timer in the foreground)."""
    if args.max_wait.strip().lower() == "all":
        return None
    return _duration_arg(args.max_wait, "--max-wait")


def _print_status(st: RunStatus, args: argparse.Namespace) -> int:
    """The run's JSON line on stdout, and on stderr what happens next when it has not finished."""
    code = _exit_code(st)
    print(json.dumps(st.to_json()), flush=True)
    if args.quiet:
        return code
    hint = None
    if st.status == "failed" and st.error is not None and "traceback" in st.error:
        hint = f"`portaflow status {st.run_id}` shows where it failed (tracebacks, the step's call site)"
    elif code == EXIT_SLEEPING:
        hint = (
            f"run {st.run_id} sleeps until {_when(st.wake_at)} UTC, beyond --max-wait {args.max_wait}: "
            "`portaflow worker` continues it then"
        )
    elif code == EXIT_PENDING and st.waiting_for_run is not None:
        hint = (
            f"run {st.run_id} waits for its child run {st.waiting_for_run}: "
            f"`portaflow status {st.waiting_for_run}` shows what that one waits for"
        )
    elif code == EXIT_PENDING and st.status == "waiting" and st.waiting_for:
        label = f" ({st.wait_label})" if st.wait_label else ""
        what, verb = f"event {st.waiting_for!r}{label}", "send it"
        if st.waiting_for_all:  # several items of a fan-out wait
            what, verb = "events " + ", ".join(repr(name) for name in st.waiting_for_all), "send one"
        hint = (
            f"run {st.run_id} waits for {what}: {verb} with "
            f"`portaflow signal {st.run_id} {st.waiting_for} --data JSON`"
        )
        if st.wake_at is not None:
            hint += f" (it times out at {_when(st.wake_at)} UTC; `portaflow worker` handles that)"
    elif code == EXIT_PENDING:
        hint = f"run {st.run_id} is executed by another process; `portaflow status {st.run_id}` shows it"
    if hint:
        print(hint, file=sys.stderr, flush=True)
    return code


def cmd_run(args: argparse.Namespace) -> int:
    max_wait = _max_wait(args)
    from portaflow.local_engine import load_target

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
        return _print_status(st, args)


def cmd_signal(args: argparse.Namespace) -> int:
    max_wait = _max_wait(args)
    if args.data is not None and args.error is not None:
        raise PortaflowError("--data and --error exclude each other: an event is a payload or a failure")
    payload = _parse_json(args.data, "--data") if args.data is not None else None
    error = _parse_error(args.error) if args.error is not None else None
    with _engine(args, _StderrReporter(args.quiet), create=False) as engine:
        st = engine.signal(args.run_id, args.event, payload, error=error, max_wait=max_wait)
        return _print_status(st, args)


def _parse_error(text: str) -> tuple[str, str]:
    """``--error TYPE:MESSAGE`` as (type, message); the message may hold colons."""
    type_name, colon, message = text.partition(":")
    if not colon:
        raise PortaflowError(f"--error wants TYPE:MESSAGE, e.g. --error 'Rejected:over budget', not {text!r}")
    return check_error_type(type_name.strip()), message.strip()


def cmd_retry(args: argparse.Namespace) -> int:
    max_wait = _max_wait(args)
    if args.run_id_new is not None and not args.from_start:
        raise PortaflowError("--run-id names the new run of a retry --from-start; add --from-start")
    with _engine(args, _StderrReporter(args.quiet), create=False) as engine:
        handle = engine.retry(
            args.run_id, from_start=args.from_start, new_run_id=args.run_id_new, max_wait=max_wait
        )
        if args.from_start and not args.quiet:
            print(
                f"run {handle.run_id} started with the input of run {args.run_id}",
                file=sys.stderr,
                flush=True,
            )
        return _print_status(engine.status(handle.run_id), args)


def cmd_prune(args: argparse.Namespace) -> int:
    age = _duration_arg(args.older_than, "--older-than") or 0.0
    with _engine(args, create=False) as engine:
        n = engine.prune(age, statuses=args.status, dry_run=args.dry_run)
        before = engine.clock.now() - age
    which = "/".join(args.status or ("completed", "failed", "cancelled"))
    verb = "would delete" if args.dry_run else "deleted"
    print(f"{verb} {n} {which} run(s) finished before {_when(before)} UTC, with their history")
    return EXIT_OK


def cmd_worker(args: argparse.Namespace) -> int:
    if args.concurrency < 1:
        raise PortaflowError("--concurrency must be at least 1")
    grace = _duration_arg(args.grace, "--grace") or 0.0
    workflows = []  # the files' workflows: their schedules are started by this worker
    if args.files:
        from portaflow.local_engine import load_workflows

        workflows = [wf for f in args.files for wf in load_workflows(f)]
        if not any(wf.schedule for wf in workflows) and not args.quiet:
            print(
                f"worker: no scheduled workflow in {', '.join(args.files)}; running the database's runs",
                file=sys.stderr,
            )
    reporter = _StderrReporter(args.quiet)
    stop, abandon = threading.Event(), threading.Event()
    stopped_by: list[str] = []

    def on_signal(signum: int, frame: Any) -> None:
        if stop.is_set():
            abandon.set()  # a second signal: do not wait for the steps under way
            return
        stopped_by.append(signal.Signals(signum).name)
        reporter.stop_reason = stopped_by[0]
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    errors: list[str] = []

    def on_error(run_id: str, exc: BaseException) -> None:
        errors.append(run_id)
        print(f"  run {run_id}: {exc}", file=sys.stderr, flush=True)

    try:
        with _engine(args, reporter) as engine:
            for wf in workflows:
                engine.register(wf)
            driven = engine.work(
                concurrency=args.concurrency,
                drain=args.drain,
                stop=stop,
                on_error=on_error,
                grace=grace,
                abandon=abandon,
            )
            for st in engine.list_runs("running"):
                if st.error is not None and st.error.get("type") == "NonDeterminismError":
                    errors.append(st.run_id)
                    if st.run_id not in reporter.stalled:
                        print(f"  run {st.run_id} is stalled: {st.error.get('message')}", file=sys.stderr)
            if not args.quiet:
                print(_worker_summary(engine, driven, stopped_by, reporter), file=sys.stderr, flush=True)
            code = EXIT_FAILED if errors else EXIT_INTERRUPTED if stopped_by == ["SIGINT"] else EXIT_OK
            if reporter.abandoned:
                # their steps still run on threads of this process: exit now, leases held, so that the
                # next worker recovers those runs as soon as this process is gone
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return code


def _worker_summary(engine: Engine, driven: int, stopped_by: list[str], reporter: _StderrReporter) -> str:
    """The worker's closing line: why it stopped, how often it drove a run, the runs by status."""
    counts: dict[str, int] = {}
    for st in engine.list_runs():
        counts[st.status] = counts.get(st.status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no runs"
    line = "worker stopped"
    if stopped_by:
        line += f" by {stopped_by[0]}"
    line += f" after {driven} activation(s)"
    parts = []
    if reporter.released:
        parts.append(f"{len(reporter.released)} run(s) released before their next step")
    if reporter.abandoned:
        parts.append(
            f"{len(reporter.abandoned)} run(s) left to recovery with a step under way "
            f"({', '.join(reporter.abandoned)}; the next worker runs that step again)"
        )
    if parts:
        line += " (" + "; ".join(parts) + ")"
    return f"{line}; runs: {summary}"


def cmd_schedules(args: argparse.Namespace) -> int:
    from portaflow.local_engine import load_workflows
    from portaflow.local_engine.schedules import upcoming

    now = datetime.now(UTC).timestamp()
    rows = [(f, u) for f in args.files for u in upcoming(load_workflows(f), now)]
    if args.json:
        print(json.dumps([{**u.to_json(), "file": f} for f, u in rows]))
        return EXIT_OK
    if not rows:
        print(f"no scheduled workflow in {', '.join(args.files)}", file=sys.stderr)
    for f, u in rows:
        iso = u.to_json()["next_local"]
        local = iso[:16].replace("T", " ") + iso[19:]  # to the minute, with the zone's offset
        print(f"{u.workflow:<24} {u.schedule:<16} {u.timezone:<16} next {local} ({_when(u.next)} UTC)  {f}")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    with _engine(args, create=False) as engine:
        st = engine.status(args.run_id)
    if args.json:
        print(json.dumps(st.to_json(timestamps=True)))
        return EXIT_OK
    line = f"{st.run_id}  {st.workflow}  {st.status}"
    if st.waiting_for_run is not None:
        line += f" for child run {st.waiting_for_run}"
    elif st.status == "waiting" and st.waiting_for_all:
        line += " for events " + ", ".join(repr(name) for name in st.waiting_for_all)
    elif st.status == "waiting" and st.waiting_for:
        line += f" for event {st.waiting_for!r}"
        if st.wait_label:
            line += f" ({st.wait_label})"
    if st.wake_at is not None and st.status == "waiting":
        line += f" (until {_when(st.wake_at)} UTC)"
    for r in st.retrying:
        err = f"{r.error.get('type')}: {r.error.get('message')}"
        at = _when(r.retry_at)
        line += f"\nretrying step {r.step!r} [{r.key}] at {at} UTC: attempt {r.attempt} failed: {err}"
    if st.status == "completed":
        line += f"\noutput: {json.dumps(st.output)}"
    if st.error is not None:
        line += f"\nerror: {st.error.get('type')}: {st.error.get('message')}"
        line += _error_details(st.error)
    print(line)
    return EXIT_OK


def _indent(text: str, by: str = "  ") -> str:
    return "".join(f"\n{by}{x}" for x in text.splitlines())


def _error_details(error: dict[str, Any]) -> str:
    """Where a run failed: the failed step (name, attempts, the workflow line that called it) and the
    recorded tracebacks, the step's and the workflow's (absent in runs recorded before portaflow kept
    them)."""
    out = ""
    failed_step = error.get("step")
    if isinstance(failed_step, dict):
        out += f"\nstep {failed_step.get('name')!r} failed after {failed_step.get('attempts')} attempt(s)"
        if failed_step.get("site"):
            out += f", called at {failed_step['site']}"
        if failed_step.get("traceback"):
            out += "\nthe step's last attempt:" + _indent(str(failed_step["traceback"]))
    if error.get("traceback"):
        out += "\nthe workflow:" + _indent(str(error["traceback"]))
    return out


def cmd_history(args: argparse.Namespace) -> int:
    with _engine(args, create=False) as engine:
        events = engine.history(args.run_id)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "seq": e.seq,
                        "kind": e.kind,
                        "key": e.key,
                        "name": e.name,
                        "at": _iso(e.at),
                        "data": e.data,
                    }
                    for e in events
                ]
            )
        )
        return EXIT_OK
    for e in events:
        label = " ".join(x for x in (e.name or "", f"[{e.key}]" if e.key else "") if x)
        error = e.data.get("error")
        tb, site = None, None
        shown = e.data
        if e.kind == "log_written":  # ctx.log: the message, then its fields; where it was written below
            label, site = f"before step {e.data.get('position')}", e.data.get("site")
            fields = e.data.get("fields")
            shown = {"message": e.data.get("message"), **({"fields": fields} if fields else {})}
        if isinstance(error, dict) and ("traceback" in error or "site" in error):
            tb, site = error.get("traceback"), error.get("site")
            brief = {k: v for k, v in error.items() if k in ("type", "message")}
            shown = {**e.data, "error": brief}
        data = json.dumps(shown, separators=(",", ":"))
        if len(data) > 160:
            data = data[:157] + "..."
        print(f"{e.seq:>5}  {_when(e.at)}  {e.kind:<20} {label:<28} {data}")
        pad = " " * 7
        if site and e.kind != "run_failed":
            print(f"{pad}{'written' if e.kind == 'log_written' else 'called'} at {site}")
        if tb:
            print(_indent(str(tb), pad).lstrip("\n"))
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    with _engine(args, create=False) as engine:
        runs = engine.list_runs(args.status)
    if args.json:
        print(json.dumps([r.to_json(timestamps=True) for r in runs]))
        return EXIT_OK
    for r in runs:
        extra = f" for {r.waiting_for!r}" if r.status == "waiting" and r.waiting_for else ""
        extra += f" (+{len(r.waiting_for_all) - 1} more)" if extra and r.waiting_for_all else ""
        extra = f" for run {r.waiting_for_run}" if r.waiting_for_run is not None else extra
        extra += f" ({r.wait_label})" if extra and r.wait_label else ""
        state = f"{r.status}{extra}"
        print(f"{r.run_id:<24} {r.workflow:<24} {state:<28} {_when(r.updated_at)}")
    return EXIT_OK


def cmd_cancel(args: argparse.Namespace) -> int:
    with _engine(args, create=False) as engine:
        before = engine.status(args.run_id)
        if before.done:
            print(f"run {args.run_id} is already {before.status}; nothing to cancel", file=sys.stderr)
        st = engine.cancel(args.run_id)
    if not st.done:
        print(
            f"run {args.run_id} is being executed by another process: cancellation requested; it stops at "
            f"its next step, then `portaflow status {args.run_id}` shows it cancelled",
            file=sys.stderr,
        )
    print(json.dumps(st.to_json()))
    return EXIT_OK


def cmd_ui(args: argparse.Namespace) -> int:
    from portaflow.ui.cli import run

    return run(args)


def cmd_stephost(args: argparse.Namespace) -> int:
    from portaflow.stephost.cli import run

    return run(args)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The CLI's parser; ``command`` is the subcommand about to run, the only one whose parser may need
    heavy imports (see ``main``), so that `portaflow --help`, `run` and `status` start fast."""
    from portaflow import __version__

    parser = argparse.ArgumentParser(
        prog="portaflow",
        description="Durable workflows: run locally, lint, compile to cloud engines.",
        epilog="`portaflow COMMAND --help` shows a command's options; docs/cli.md has them all.",
    )
    parser.add_argument("--version", action="version", version=f"portaflow {__version__}")
    db_help = "database file (default: $PORTAFLOW_DB or .portaflow/runs.db)"
    parser.add_argument("--db", metavar="PATH", help=db_help + "; also accepted after the command")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def db_option(p: argparse.ArgumentParser) -> None:
        # SUPPRESS: when left out here, the value given before the command (or None) stays
        p.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=db_help)

    def max_wait_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--max-wait",
            metavar="DURATION",
            default=DEFAULT_MAX_WAIT,
            help=f"wait out in place the timers due within this long (default {DEFAULT_MAX_WAIT}; `all`: "
            "every timer); a later one leaves the run sleeping for `portaflow worker` (exit 4)",
        )

    p = sub.add_parser("run", help="start a workflow run and execute it until it ends or waits")
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
    p.add_argument(
        "--error",
        metavar="TYPE:MESSAGE",
        help="deliver the event as a failure: the wait raises EventFailed (and TYPE, if such a class exists)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print only the final JSON line")
    max_wait_option(p)
    db_option(p)
    p.set_defaults(handler=cmd_signal)

    p = sub.add_parser("worker", help="execute runnable runs, fire due timers, recover crashed runs")
    p.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="Python files whose scheduled workflows (@workflow(schedule=...)) this worker starts",
    )
    p.add_argument("--concurrency", type=int, default=4, help="runs executed at once (default 4)")
    p.add_argument("--drain", action="store_true", help="exit once nothing is runnable")
    p.add_argument(
        "--grace",
        metavar="DURATION",
        default=DEFAULT_GRACE,
        help=f"on SIGTERM or Ctrl-C, how long the steps under way may take to finish (default "
        f"{DEFAULT_GRACE}); a step still running then is left to recovery by the next worker",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    db_option(p)
    p.set_defaults(handler=cmd_worker)

    p = sub.add_parser("schedules", help="list the scheduled workflows of files, with their next tick")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_schedules)

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

    p = sub.add_parser("cancel", help="cancel a run (one executing elsewhere stops at its next step)")
    p.add_argument("run_id", metavar="RUN_ID")
    db_option(p)
    p.set_defaults(handler=cmd_cancel)

    p = sub.add_parser(
        "retry", help="resume a failed or cancelled run from its failed step (or --from-start: a new run)"
    )
    p.add_argument("run_id", metavar="RUN_ID")
    p.add_argument(
        "--from-start", action="store_true", help="start a new run with the same input; prints its id"
    )
    p.add_argument("--run-id", dest="run_id_new", metavar="NEW_ID", help="the new run's id (--from-start)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the final JSON line")
    max_wait_option(p)
    db_option(p)
    p.set_defaults(handler=cmd_retry)

    p = sub.add_parser("prune", help="delete finished runs older than a duration, with their history")
    p.add_argument(
        "--older-than", required=True, metavar="DURATION", help="finished longer ago than this, e.g. 30d"
    )
    p.add_argument(
        "--status",
        action="append",
        choices=["completed", "failed", "cancelled"],
        help="only runs that ended so (repeatable; default: all three)",
    )
    p.add_argument("--dry-run", action="store_true", help="count them, delete nothing")
    db_option(p)
    p.set_defaults(handler=cmd_prune)

    if command == "ui":  # its options live beside the app; `portaflow --help` needs only its line
        from portaflow.ui.cli import add_arguments as add_ui_arguments

        p = sub.add_parser("ui", help=UI_HELP, description=UI_HELP)
        add_ui_arguments(p)
        db_option(p)
        p.set_defaults(handler=cmd_ui)
    else:
        sub.add_parser("ui", help=UI_HELP, add_help=False)

    if command == "lint":  # the linter's parser imports libcst and every rule: only for `portaflow lint`
        from portaflow.lint.cli import add_parser as add_lint_parser

        add_lint_parser(sub)
    else:
        sub.add_parser("lint", help=LINT_HELP, add_help=False)
    add_compiler_parsers(sub)
    if command == "stephost":  # its module is light, but `portaflow --help` needs none of it
        from portaflow.stephost.cli import add_arguments as add_stephost_arguments

        p = sub.add_parser("stephost", help=STEPHOST_HELP, description=STEPHOST_HELP)
        add_stephost_arguments(p)
        p.set_defaults(handler=cmd_stephost)
    else:
        sub.add_parser("stephost", help=STEPHOST_HELP, add_help=False)
    return parser


def _command(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv``: the first argument that is neither an option nor the value of
    the top-level ``--db``."""
    args = iter(argv)
    for a in args:
        if a == "--db":
            next(args, None)
        elif not a.startswith("-"):
            return a
    return None


def _parse(argv: list[str]) -> argparse.Namespace | None:
    """The command line's arguments; None for `portaflow` alone (the list of commands is printed)."""
    parser = build_parser(_command(argv))
    args, extra = parser.parse_known_args(argv)
    if args.command is None:
        parser.print_help()
        return None
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    command_parser: argparse.ArgumentParser = sub.choices[args.command]
    if extra:  # the command's usage, not the top-level one: the user is writing that command
        command_parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.db is not None and args.command not in DB_COMMANDS:
        command_parser.error(f"--db is for {', '.join(DB_COMMANDS)}; `{args.command}` uses no database")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parse(argv)
    if args is None:
        return EXIT_OK
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
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
