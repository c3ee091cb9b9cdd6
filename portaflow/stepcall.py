"""Calling a user's ``@step`` from a payload, the one way every remote step runner does it.

The AWS Lambda runtime and the step host (``portaflow.stepcall`` is shipped into the Lambda package as
``portaflow/stepcall.py``) both call steps through here, so the two cannot drift: arguments bound by
parameter name, the idempotency key injected into a step that declares ``idempotency_key``, integers given
back to parameters declared ``float`` (a JSON hop may turn ``2.0`` into ``2``), the result JSON-copied
(the workflow sees what the round trip gives: a tuple becomes a list), and an exception described by its
type, message and MRO names (``except`` clauses and retry lists match any class in the MRO).

Standard library only: this module runs inside deployed functions where nothing else of portaflow is.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from typing import Any

KEY_PARAM = "idempotency_key"


def step_function(step: Any) -> Callable[..., Any]:
    """The plain function of a ``@step`` object (or ``step`` itself, a plain function)."""
    fn: Callable[..., Any] = getattr(step, "fn", step)
    return fn


def wants_key(step: Any) -> bool:
    """Whether the step declares an ``idempotency_key`` parameter for the runner to fill."""
    return bool(getattr(step, "takes_idempotency_key", False))


def step_kwargs(step: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments ``payload`` (``{"args": {...}, "idempotency_key": ...}``) gives the step."""
    kwargs = dict(payload.get("args") or {})
    # JSON numbers lose "2.0" versus "2" on the way (JSONata, JavaScript): restore floats the step declares
    for name, param in inspect.signature(step_function(step)).parameters.items():
        value = kwargs.get(name)
        if param.annotation in (float, "float") and isinstance(value, int) and not isinstance(value, bool):
            kwargs[name] = float(value)
    if wants_key(step) and KEY_PARAM not in kwargs:
        kwargs[KEY_PARAM] = payload[KEY_PARAM]
    return kwargs


def binding_error(step: Any, kwargs: Mapping[str, Any]) -> str | None:
    """Why ``kwargs`` cannot be passed to the step (a missing or unknown parameter), else None: lets a
    runner tell a caller's mistake from a TypeError the step itself raises."""
    try:
        inspect.signature(step_function(step)).bind(**kwargs)
    except TypeError as exc:
        return str(exc)
    return None


def json_copy(value: Any) -> Any:
    """``value`` as a JSON round trip gives it back; TypeError when it is not JSON."""
    return json.loads(json.dumps(value))


def call_step(step: Any, payload: Mapping[str, Any]) -> Any:
    """Run the step with the payload's arguments; its JSON-copied result. Raises what the step raises."""
    return json_copy(step_function(step)(**step_kwargs(step, payload)))


def error_info(exc: BaseException) -> dict[str, Any]:
    """``{"type", "message", "mro"}`` of an exception: what a workflow needs to match it in ``except``."""
    mro = [c.__name__ for c in type(exc).__mro__ if c is not object]
    return {"type": mro[0], "message": str(exc), "mro": mro}
