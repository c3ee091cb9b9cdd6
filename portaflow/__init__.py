"""portaflow: durable workflows for long-running agents, written once in Python, run anywhere."""

from portaflow.dsl import (
    Context,
    NonDeterminismError,
    PortaflowError,
    RetryPolicy,
    StepFailed,
    WorkflowError,
    WorkflowFailed,
    step,
    workflow,
)

__version__ = "0.1.0"

__all__ = [
    "Context",
    "NonDeterminismError",
    "PortaflowError",
    "RetryPolicy",
    "StepFailed",
    "WorkflowError",
    "WorkflowFailed",
    "__version__",
    "step",
    "workflow",
]
