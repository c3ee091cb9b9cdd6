"""portaflow: durable workflows for long-running agents, written once in Python, run anywhere.

The DSL is imported here; the local engine (``Engine``, ``VirtualClock``...) on first use, so that
``import portaflow`` in a workflow module stays cheap (docs/api.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from portaflow.dsl import (
    ChildFailed,
    Context,
    EventFailed,
    EventTimeout,
    NonDeterminismError,
    NotWaiting,
    PortaflowError,
    RetryPolicy,
    RunNotFound,
    StepFailed,
    TooManyFailures,
    WorkflowError,
    WorkflowFailed,
    WorkflowTimeout,
    step,
    workflow,
)

if TYPE_CHECKING:
    from portaflow.local_engine import (
        Engine,
        HistoryEvent,
        RunHandle,
        RunStatus,
        SystemClock,
        VirtualClock,
    )

__version__ = "0.1.0"

# the engine's public names, imported when first asked for: `from portaflow import Engine`
_LAZY = {
    "Engine": "portaflow.local_engine.engine",
    "HistoryEvent": "portaflow.local_engine.engine",
    "RunHandle": "portaflow.local_engine.engine",
    "RunStatus": "portaflow.local_engine.engine",
    "SystemClock": "portaflow.local_engine.clock",
    "VirtualClock": "portaflow.local_engine.clock",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'portaflow' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "ChildFailed",
    "Context",
    "Engine",
    "EventFailed",
    "EventTimeout",
    "HistoryEvent",
    "NonDeterminismError",
    "NotWaiting",
    "PortaflowError",
    "RetryPolicy",
    "RunHandle",
    "RunNotFound",
    "RunStatus",
    "StepFailed",
    "SystemClock",
    "TooManyFailures",
    "VirtualClock",
    "WorkflowError",
    "WorkflowFailed",
    "WorkflowTimeout",
    "__version__",
    "step",
    "workflow",
]
