"""An event as one JSON value, for engines that carry nothing else (Azure's ``raise_event``, Cloudflare's
``sendEvent``, the AWS events buffer): its payload, or its failure (``signal --error TYPE:MESSAGE``).

The value is the payload itself, so ordinary events look as they always did, unless it is an *envelope*:
a JSON object with the key ``portaflow_event``. A failure is ``{"portaflow_event": 1, "error": {"type",
"message"}}``; a payload that is itself an object with that key is sent wrapped, ``{"portaflow_event": 1,
"payload": ...}``, so no payload can be taken for a failure. Shipped to the targets with ``portaflow.dsl``;
the TypeScript runtime has the same two functions (``runtime/durable.ts``).
"""

from __future__ import annotations

from typing import Any

from portaflow.dsl.errors import check_error_type

EVENT_MARK = "portaflow_event"


def event_data(payload: Any = None, error: tuple[str, str] | None = None) -> Any:
    """The JSON value that carries ``payload``, or the failure ``error=(type, message)``."""
    if error is not None:
        return {EVENT_MARK: 1, "error": {"type": check_error_type(error[0]), "message": str(error[1])}}
    if isinstance(payload, dict) and EVENT_MARK in payload:
        return {EVENT_MARK: 1, "payload": payload}
    return payload


def event_outcome(data: Any) -> tuple[Any, dict[str, str] | None]:
    """``(payload, None)``, or ``(None, {"type", "message"})`` for a failure: the inverse of event_data."""
    if isinstance(data, dict) and EVENT_MARK in data:
        error = data.get("error")
        if isinstance(error, dict):
            return None, {"type": str(error.get("type")), "message": str(error.get("message"))}
        return data.get("payload"), None
    return data, None
