"""The Python DSL users write workflows in: ``@workflow``, ``@step``, ``Context``, ``RetryPolicy``."""

from portaflow.dsl.context import ChildRun, Context
from portaflow.dsl.decorators import Step, Workflow, step, workflow
from portaflow.dsl.durations import Duration, format_duration, parse_duration
from portaflow.dsl.errors import (
    ChildFailed,
    EventFailed,
    EventTimeout,
    NonDeterminismError,
    NotWaiting,
    PortaflowError,
    RunNotFound,
    StepFailed,
    TooManyFailures,
    WorkflowError,
    WorkflowFailed,
    WorkflowTimeout,
)
from portaflow.dsl.retry import RetryPolicy

__all__ = [
    "ChildFailed",
    "ChildRun",
    "Context",
    "Duration",
    "EventFailed",
    "EventTimeout",
    "NonDeterminismError",
    "NotWaiting",
    "PortaflowError",
    "RetryPolicy",
    "RunNotFound",
    "Step",
    "StepFailed",
    "TooManyFailures",
    "Workflow",
    "WorkflowError",
    "WorkflowFailed",
    "WorkflowTimeout",
    "format_duration",
    "parse_duration",
    "step",
    "workflow",
]
