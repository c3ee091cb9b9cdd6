"""The built-in durable engine: event-sourced runs in an embedded SQLite file, no server to start."""

from portaflow.local_engine.clock import Clock, SystemClock, VirtualClock
from portaflow.local_engine.engine import Engine, default_db_path
from portaflow.local_engine.loader import load_target, load_workflows
from portaflow.local_engine.runs import HistoryEvent, RunHandle, RunStatus

__all__ = [
    "Clock",
    "Engine",
    "HistoryEvent",
    "RunHandle",
    "RunStatus",
    "SystemClock",
    "VirtualClock",
    "default_db_path",
    "load_target",
    "load_workflows",
]
