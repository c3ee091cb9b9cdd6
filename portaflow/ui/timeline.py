"""A run's event log as the timeline its page shows: one entry per recorded fact, in order.

Step attempts carry their start, end and duration (``at`` is when the attempt was recorded, ``duration``
how long it ran), failed attempts the delay before the next one (from the recorded backoff), timers their
wake time, waits their timeout; every payload (arguments, results, errors, event payloads, recorded values)
is kept as data for the template, which shows it as collapsible, escaped JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from portaflow.dsl.durations import format_duration
from portaflow.local_engine.store import EventRow

MAX_SHOWN = 20_000  # characters of one payload shown; the rest is cut, and says so


def when(ts: float | None) -> str:
    """A time as the pages show it: UTC, to the second."""
    if ts is None:
        return "-"
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S")


def iso(ts: float | None) -> str:
    return "" if ts is None else datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def span(seconds: float | None) -> str:
    """A duration to read: milliseconds below a second, hundredths below a minute, else 1h5m."""
    if seconds is None:
        return "-"
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms" if seconds >= 0.001 else "<1ms"
    if seconds < 60:
        return f"{seconds:.2f}s"
    return format_duration(round(seconds))


def pretty(value: Any) -> str:
    """``value`` as indented JSON, cut at MAX_SHOWN characters (the template escapes it)."""
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)
    if len(text) > MAX_SHOWN:
        return text[:MAX_SHOWN] + f"\n... ({len(text) - MAX_SHOWN} more characters not shown)"
    return text


@dataclass
class Payload:
    label: str
    text: str  # JSON, or a traceback when ``code`` is False
    json: bool = True


@dataclass
class Entry:
    """One line of the timeline."""

    seq: int
    at: float
    tone: str  # ok, retry, fail, timer, event, value, run: its colour and icon
    title: str
    detail: str = ""
    started: float | None = None  # a step attempt's start (``at`` is its end)
    duration: float | None = None
    payloads: list[Payload] = field(default_factory=list)

    @property
    def when(self) -> str:
        return when(self.at)

    @property
    def iso(self) -> str:
        return iso(self.at)

    @property
    def span(self) -> str:
        return span(self.duration)

    @property
    def ran(self) -> str:
        """A step attempt's start and end, to the millisecond: ``09:00:01.250 → 09:00:02.480``."""
        if self.started is None:
            return ""
        return f"{_clock(self.started)} → {_clock(self.at)}"


def _clock(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%H:%M:%S.%f")[:-3]


def _error_payloads(error: Any) -> list[Payload]:
    """An error as JSON (type, message, site...) and, apart, its recorded traceback(s) as text."""
    if not isinstance(error, dict):
        return [Payload("error", pretty(error))]
    brief = {k: v for k, v in error.items() if k not in ("traceback", "step")}
    out = [Payload("error", pretty(brief))]
    step = error.get("step")
    if isinstance(step, dict) and step.get("traceback"):
        out.append(Payload("the step's traceback", str(step["traceback"]), json=False))
    if error.get("traceback"):
        out.append(Payload("traceback", str(error["traceback"]), json=False))
    return out


def _error_line(error: Any) -> str:
    if isinstance(error, dict):
        return f"{error.get('type')}: {error.get('message')}"
    return str(error)


def _args(d: dict[str, Any]) -> list[Payload]:
    out = []
    if "args" in d:
        out.append(Payload("arguments", pretty(d["args"])))
    if d.get("idempotency_key"):
        out.append(Payload("idempotency key", pretty(d["idempotency_key"])))
    return out


def _attempt(e: EventRow) -> dict[str, Any]:
    """Start and duration of a step attempt's entry."""
    duration = e.data.get("duration")
    if not isinstance(duration, (int, float)):
        return {}
    return {"started": e.at - float(duration), "duration": float(duration)}


def _run_started(e: EventRow) -> Entry:
    d = e.data
    extra = []
    if d.get("timeout") is not None:
        extra.append(f"execution timeout {format_duration(float(d['timeout']))}")
    if d.get("retry_of"):
        extra.append(f"retry of run {d['retry_of']}")
    return Entry(
        e.seq,
        e.at,
        "run",
        f"run started ({e.name})",
        "; ".join(extra),
        payloads=[Payload("input", pretty(d.get("input")))],
    )


def _step_completed(e: EventRow) -> Entry:
    d = e.data
    attempt = int(d.get("attempt", 1))
    title = f"step {e.name} completed" + (f" on attempt {attempt}" if attempt > 1 else "")
    return Entry(
        e.seq,
        e.at,
        "ok",
        title,
        **_attempt(e),
        payloads=[*_args(d), Payload("result", pretty(d.get("result")))],
    )


def _step_attempt_failed(e: EventRow) -> Entry:
    d = e.data
    delay = d.get("delay")
    retry = f"retrying in {span(float(delay))}" if isinstance(delay, (int, float)) else "retrying"
    if d.get("retry_at") is not None:
        retry += f", at {when(float(d['retry_at']))} UTC"
    return Entry(
        e.seq,
        e.at,
        "retry",
        f"step {e.name} attempt {d.get('attempt')} failed",
        f"{_error_line(d.get('error'))}; {retry}",
        **_attempt(e),
        payloads=[*_args(d), *_error_payloads(d.get("error"))],
    )


def _step_failed(e: EventRow) -> Entry:
    d = e.data
    reason = f" ({d['reason']})" if d.get("reason") else ""
    return Entry(
        e.seq,
        e.at,
        "fail",
        f"step {e.name} failed after {d.get('attempt')} attempt(s){reason}",
        _error_line(d.get("error")),
        **_attempt(e),
        payloads=[*_args(d), *_error_payloads(d.get("error"))],
    )


def _call_started(e: EventRow) -> Entry:
    name = e.name or ""
    if name.startswith("map:"):
        d = e.data
        limit = f", {d['max_concurrency']} at a time" if d.get("max_concurrency") else ""
        return Entry(
            e.seq, e.at, "run", f"map over step {name[4:]} started", f"{d.get('items')} item(s){limit}"
        )
    if name.startswith("parallel:"):
        return Entry(e.seq, e.at, "run", "parallel started", f"{e.data.get('branches')} branch(es)")
    return Entry(e.seq, e.at, "run", f"child workflow {name} started")


def _call_completed(e: EventRow) -> Entry:
    return Entry(
        e.seq,
        e.at,
        "ok",
        f"child workflow {e.name} returned",
        payloads=[Payload("result", pretty(e.data.get("result")))],
    )


def _value_recorded(e: EventRow) -> Entry:
    kind, value = e.data.get("kind"), e.data.get("value")
    brief = json.dumps(value, ensure_ascii=False)
    return Entry(
        e.seq,
        e.at,
        "value",
        f"recorded ctx.{kind}()",
        brief if len(brief) <= 80 else "",  # short values are read at a glance; every value expands below
        payloads=[Payload("value", pretty(value))],
    )


def _timer_started(e: EventRow) -> Entry:
    d = e.data
    seconds = d.get("seconds")
    length = f" {format_duration(float(seconds))}" if isinstance(seconds, (int, float)) else ""
    return Entry(e.seq, e.at, "timer", f"sleep{length} started", f"wakes at {when(d.get('fire_at'))} UTC")


def _timer_fired(e: EventRow) -> Entry:
    return Entry(e.seq, e.at, "timer", "timer fired")


def _wait_started(e: EventRow) -> Entry:
    d = e.data
    timeout = d.get("timeout_at")
    detail = f"times out at {when(float(timeout))} UTC" if timeout is not None else "no timeout"
    return Entry(e.seq, e.at, "event", f"waiting for event {e.name!r}", detail)


def _event_received(e: EventRow) -> Entry:
    return Entry(
        e.seq,
        e.at,
        "event",
        f"received event {e.name!r}",
        payloads=[Payload("payload", pretty(e.data.get("payload")))],
    )


def _event_failed(e: EventRow) -> Entry:
    """An event delivered as a failure (`portaflow signal --error TYPE:MESSAGE`): the wait raised it."""
    return Entry(
        e.seq, e.at, "fail", f"received event {e.name!r} as a failure", _error_line(e.data.get("error"))
    )


def _event_timed_out(e: EventRow) -> Entry:
    return Entry(
        e.seq,
        e.at,
        "timer",
        f"event {e.name!r} timed out",
        "the wait returned None (raised EventTimeout with raise_on_timeout=True)",
    )


def _patch_recorded(e: EventRow) -> Entry:
    return Entry(
        e.seq, e.at, "value", f"ctx.patched({e.name!r}) recorded", "this run takes the new code path"
    )


def _log_written(e: EventRow) -> Entry:
    """A ``ctx.log`` line: its message, where it was written (the next step's position), its fields."""
    fields = e.data.get("fields") or {}
    payloads = [Payload("fields", pretty(fields))] if fields else []
    return Entry(
        e.seq,
        e.at,
        "value",
        str(e.data.get("message", "")),
        f"log, before step {e.data.get('position')}",
        payloads=payloads,
    )


def _run_recovered(e: EventRow) -> Entry:
    return Entry(e.seq, e.at, "retry", "run recovered by another process", str(e.data.get("reason", "")))


def _run_resumed(e: EventRow) -> Entry:
    reset = e.data.get("reset") or []
    detail = f"attempted again: {', '.join(map(str, reset))}" if reset else ""
    return Entry(e.seq, e.at, "run", "run resumed (retry)", detail)


def _run_completed(e: EventRow) -> Entry:
    return Entry(
        e.seq, e.at, "ok", "run completed", payloads=[Payload("output", pretty(e.data.get("output")))]
    )


def _run_failed(e: EventRow) -> Entry:
    error = e.data.get("error")
    return Entry(e.seq, e.at, "fail", "run failed", _error_line(error), payloads=_error_payloads(error))


def _run_cancelled(e: EventRow) -> Entry:
    return Entry(e.seq, e.at, "fail", "run cancelled")


_ENTRIES: dict[str, Callable[[EventRow], Entry]] = {
    "run_started": _run_started,
    "step_completed": _step_completed,
    "step_attempt_failed": _step_attempt_failed,
    "step_failed": _step_failed,
    "call_started": _call_started,
    "call_completed": _call_completed,
    "value_recorded": _value_recorded,
    "timer_started": _timer_started,
    "timer_fired": _timer_fired,
    "wait_started": _wait_started,
    "event_received": _event_received,
    "event_failed": _event_failed,
    "event_timed_out": _event_timed_out,
    "patch_recorded": _patch_recorded,
    "log_written": _log_written,
    "run_recovered": _run_recovered,
    "run_resumed": _run_resumed,
    "run_completed": _run_completed,
    "run_failed": _run_failed,
    "run_cancelled": _run_cancelled,
}


def _unknown(e: EventRow) -> Entry:
    """An event kind this version does not know (a newer portaflow wrote it): shown as it is."""
    return Entry(
        e.seq, e.at, "run", e.kind.replace("_", " "), e.name or "", payloads=[Payload("data", pretty(e.data))]
    )


def timeline(events: list[EventRow]) -> list[Entry]:
    return [_ENTRIES.get(e.kind, _unknown)(e) for e in events]
