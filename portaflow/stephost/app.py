"""The step host's ASGI app (Starlette): ``POST /steps/<key>`` and ``GET /healthz``."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from portaflow.backends.aws.runtime.portaflow_aws_runtime import StepError, call_step, step_error

from .signing import WINDOW, Verifier

# called after each step call with (step key, request body, the answer's envelope): the offline executor's
Observer = Callable[[str, dict[str, Any], dict[str, Any]], None]


def create_app(
    steps: dict[str, Any],
    secret: str,
    *,
    window: float = WINDOW,
    clock: Callable[[], float] = time.time,
    observer: Observer | None = None,
) -> Starlette:
    """Serve ``steps`` (step key -> ``@step`` object or function) to requests signed with ``secret``."""
    verifier = Verifier(secret, window, clock)

    async def run_step(request: Request) -> JSONResponse:
        raw = await request.body()
        why = verifier.check(
            request.headers.get("x-portaflow-timestamp"), request.headers.get("x-portaflow-signature"), raw
        )
        if why is not None:
            return JSONResponse({"error": why}, status_code=401)
        key = request.path_params["key"]
        step = steps.get(key)
        if step is None:
            return JSONResponse({"error": f"no step {key!r} here; this host serves {sorted(steps)}"}, 404)
        try:
            body = json.loads(raw)
        except ValueError:
            return JSONResponse({"error": "the body is not JSON"}, status_code=400)
        if not isinstance(body, dict) or not isinstance(body.get("args", {}), dict):
            return JSONResponse({"error": 'the body must be a JSON object with "args": {name: value}'}, 400)
        envelope = await run_in_threadpool(_envelope, step, body)
        if observer is not None:
            observer(key, body, envelope)
        return JSONResponse(envelope)

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True, "steps": sorted(steps)})

    return Starlette(
        routes=[Route("/steps/{key:path}", run_step, methods=["POST"]), Route("/healthz", healthz)]
    )


def _envelope(step: Any, body: dict[str, Any]) -> dict[str, Any]:
    """The step's result, or its exception as the typed envelope the workflow matches by MRO."""
    try:
        return {"result": call_step(step, body)}
    except Exception as exc:
        err: StepError = step_error(exc, body.get("non_retryable") or ())
        return {"error": {"type": err.type_name, "message": err.message, "mro": err.mro}}
