"""The step host: a workflow's ``@step`` functions served over signed HTTP, for targets that cannot run
Python themselves (Cloudflare Workflows now). The protocol is in docs/architecture.md, "The step host".

``create_app`` and ``signature`` (``portaflow.stephost.app``, Starlette) and ``load_steps``
(``portaflow.stephost.load``, the compiler) are imported when first used, so that ``portaflow --help``
loads neither.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portaflow.stephost.app import create_app, signature
    from portaflow.stephost.load import StepHostError, load_steps

_LAZY = {
    "create_app": "portaflow.stephost.app",
    "signature": "portaflow.stephost.app",
    "load_steps": "portaflow.stephost.load",
    "StepHostError": "portaflow.stephost.load",
}

__all__ = ["StepHostError", "create_app", "load_steps", "signature"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
