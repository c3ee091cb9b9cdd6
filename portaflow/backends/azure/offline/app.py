"""Load a function app folder in isolation and call its functions as the Azure Functions Python worker does.

    app = FunctionApp(Path("out/refund"))          # imports out/refund/function_app.py afresh
    handle = app.orchestrators["refund"]           # the SDK's handle(context_json) -> state_json
    outcome = app.run_activity("charge", '{"order": 1}')
    app.close()                                    # sys.modules and sys.path as they were

The folder's modules (``function_app`` and whatever it imports from the folder) are fresh copies while the
app is open, importable by name as in the deployed package, and removed on :meth:`FunctionApp.close`; the
modules of the same names that were loaded before are put back. ``app.get_functions()`` is called once
(the SDK refuses a second call on the same app object).

Activities go through the worker's own codec, ``azure.functions``' ``ActivityTriggerConverter``: the input
the orchestrator passed is JSON text decoded as the worker decodes it, the return value is encoded as the
worker encodes it (a value JSON cannot carry fails the activity, as on Azure).

Around the SDK's orchestrator handle the host uses two helpers that change nothing it computes:
:func:`memoized_timestamps` (the SDK re-parses every history timestamp with dateutil on every replay) and
:func:`captured_contexts` (to read, after a replay, which event waits the SDK still has open).
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import importlib.util
import inspect
import json
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ORCHESTRATION_TRIGGER = "orchestrationTrigger"
ACTIVITY_TRIGGER = "activityTrigger"


class AppError(Exception):
    """The folder is not a function app the host can run (no function_app.py, no ``app``, a bad name)."""


@dataclass(frozen=True)
class ActivityOutcome:
    """One activity invocation as the framework records it: the result as JSON text, or the failure."""

    result_json: str | None  # TaskCompleted.Result
    reason: str | None = None  # TaskFailed.Reason: the exception's message
    details: str | None = None  # TaskFailed.Details: JSON with the exception's type and traceback
    error_type: str | None = None

    @property
    def failed(self) -> bool:
        return self.reason is not None


@dataclass(frozen=True)
class Activity:
    name: str
    fn: Callable[..., Any]
    param: str  # the activity trigger's input_name


class FunctionApp:
    """The orchestrators and activities of one ``function_app.py``; see the module docstring."""

    def __init__(self, app_dir: Path | str) -> None:
        self.app_dir = Path(app_dir).resolve()
        entry = self.app_dir / "function_app.py"
        if not entry.is_file():
            raise AppError(f"{self.app_dir} has no function_app.py")
        # the names the folder provides: loaded modules of those names (another app's) are set aside
        self._names = {"function_app"} | {
            p.stem if p.suffix == ".py" else p.name
            for p in self.app_dir.iterdir()
            if (p.suffix == ".py" or (p.is_dir() and any(p.glob("*.py")))) and p.stem.isidentifier()
        }
        self._shadowed = {n: m for n, m in sys.modules.items() if self._ours(n, m)}
        for name in self._shadowed:
            del sys.modules[name]
        sys.path.insert(0, str(self.app_dir))
        self._closed = False
        try:
            self.module = self._import(entry)
            self.orchestrators, self.activities = self._index(self.module)
        except BaseException:
            self.close()
            raise

    def _ours(self, name: str, module: ModuleType | None) -> bool:
        """A module of the folder, or one of a name the folder provides."""
        if name.split(".", 1)[0] in self._names:
            return True
        file = getattr(module, "__file__", None)
        if not file:
            return False
        try:
            return Path(file).resolve().is_relative_to(self.app_dir)
        except (OSError, ValueError):
            return False

    @staticmethod
    def _import(entry: Path) -> ModuleType:
        spec = importlib.util.spec_from_file_location("function_app", entry)
        if spec is None or spec.loader is None:
            raise AppError(f"cannot import {entry}")
        module = importlib.util.module_from_spec(spec)
        sys.modules["function_app"] = module
        spec.loader.exec_module(module)
        return module

    @staticmethod
    def _index(module: ModuleType) -> tuple[dict[str, Callable[[str], str]], dict[str, Activity]]:
        app = getattr(module, "app", None)
        if app is None or not hasattr(app, "get_functions"):
            raise AppError("function_app.py defines no `app = df.DFApp(...)`")
        orchestrators: dict[str, Callable[[str], str]] = {}
        activities: dict[str, Activity] = {}
        for fn in app.get_functions():  # once per app object: the SDK refuses a second call
            trigger = fn.get_trigger()
            kind = getattr(trigger, "type", None)
            name = fn.get_function_name()
            if kind == ORCHESTRATION_TRIGGER:
                orchestrators[name] = fn.get_user_function()
            elif kind == ACTIVITY_TRIGGER:
                activities[name] = Activity(name, fn.get_user_function(), str(trigger.name))
            # HTTP starters, entities and the rest are not the host's business
        return orchestrators, activities

    def orchestrator(self, name: str) -> Callable[[str], str]:
        try:
            return self.orchestrators[name]
        except KeyError:
            known = ", ".join(sorted(self.orchestrators)) or "none"
            raise AppError(
                f"no orchestrator named {name!r} in {self.app_dir} (orchestrators: {known})"
            ) from None

    def run_activity(self, name: str, input_json: str | None) -> ActivityOutcome:
        """Run activity ``name`` on the JSON text the orchestrator scheduled it with, as the worker does."""
        from azure.functions import meta
        from azure.functions.durable_functions import ActivityTriggerConverter

        activity = self.activities.get(name)
        if activity is None:
            # the framework fails the task when no such function exists
            return _failure(
                f"The function '{name}' doesn't exist, is disabled, or is not an activity function."
            )
        try:
            datum = meta.Datum(type="json", value=input_json if input_json is not None else "null")
            value = ActivityTriggerConverter.decode(datum, trigger_metadata=None)
            result = activity.fn(**{activity.param: value})
            if inspect.isawaitable(result):
                result = asyncio.run(_await(result))
            encoded = ActivityTriggerConverter.encode(result, expected_type=None)
        except Exception as exc:
            return _failure(str(exc), exc)
        return ActivityOutcome(result_json=str(encoded.value))

    def close(self) -> None:
        """Remove the folder's modules and restore ``sys.path`` and the modules they shadowed."""
        if self._closed:
            return
        self._closed = True
        for name, module in list(sys.modules.items()):
            if self._ours(name, module):
                del sys.modules[name]
        sys.modules.update(self._shadowed)
        if str(self.app_dir) in sys.path:
            sys.path.remove(str(self.app_dir))


async def _await(awaitable: Any) -> Any:
    return await awaitable


def _failure(message: str, exc: BaseException | None = None) -> ActivityOutcome:
    kind = type(exc).__name__ if exc is not None else "FunctionNotFound"
    trace = "".join(traceback.format_exception(exc)) if exc is not None else ""
    details = json.dumps({"type": kind, "message": message, "traceback": trace})
    return ActivityOutcome(result_json=None, reason=message, details=details, error_type=kind)


@functools.lru_cache(maxsize=1 << 16)
def _parse_timestamp(text: str) -> Any:
    return importlib.import_module("dateutil.parser").parse(text)


@contextmanager
def memoized_timestamps() -> Iterator[None]:
    """The SDK parses every event's Timestamp with dateutil on every replay (most of a replay's time); the
    same text always gives the same (immutable) datetime, so while the host replays, the parse is cached."""
    module: Any = importlib.import_module("azure.durable_functions.models.history.HistoryEvent")

    original = module.dt_parse
    module.dt_parse = _parse_timestamp
    try:
        yield
    finally:
        module.dt_parse = original


@contextmanager
def captured_contexts() -> Iterator[list[Any]]:
    """The ``DurableOrchestrationContext`` objects the SDK's handle builds while inside: after a replay, its
    ``open_tasks`` say which event waits the SDK still has open (the host reads, never changes them)."""
    module: Any = importlib.import_module("azure.durable_functions.models.DurableOrchestrationContext")
    cls = module.DurableOrchestrationContext
    original = cls.__dict__["from_json"]
    seen: list[Any] = []

    def from_json(klass: Any, json_string: str) -> Any:
        ctx = original.__func__(klass, json_string)
        seen.append(ctx)
        return ctx

    cls.from_json = classmethod(from_json)
    try:
        yield seen
    finally:
        cls.from_json = original


def open_waits(ctx: Any) -> dict[str, int]:
    """How many waits for each event name the SDK's context has open (its ``open_tasks`` by name)."""
    counts: dict[str, int] = {}
    for key, tasks in list(ctx.open_tasks.items()):
        if not isinstance(key, str) or not isinstance(tasks, list):
            continue
        n = sum(
            1
            for t in tasks
            if getattr(t, "_api_name", "") == "WaitForExternalEventAction" and not t.is_completed
        )
        if n:
            counts[key] = n
    return counts


def awaited_events(ctx: Any) -> list[str]:
    """The event names the orchestrator awaits now, each once, in the order their waits opened: a wait
    yielded alone, or in a race (``task_any``) that has not completed. (A wait whose race a timer won stays
    open in the SDK, where it takes the next event, but nothing awaits it; and a race re-run with a new
    timer, or a fan-out's ``task_any`` over its items' waits, holds the wait only in the SDK's task, not in
    its new action, since the wait was scheduled before.)"""
    names: list[str] = []
    for key, tasks in list(ctx.open_tasks.items()):
        if not isinstance(key, str) or not isinstance(tasks, list):
            continue
        for t in tasks:
            if getattr(t, "_api_name", "") != "WaitForExternalEventAction" or t.is_completed:
                continue
            parent = getattr(t, "parent", None)
            if (parent is None or not parent.is_completed) and key not in names:
                names.append(key)
    return names
