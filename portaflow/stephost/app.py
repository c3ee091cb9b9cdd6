"""The step host's HTTP app: every ``@step`` of a workflow behind ``POST /steps/{key}``, signed calls only.

A durable runtime that cannot run Python (Cloudflare Workflows, later GCP Workflows) calls its steps here,
as a Temporal workflow calls activities on a worker. Each call runs through :mod:`portaflow.stepcall`, the
core the AWS Lambda runtime uses, so a step is bound, keyed and reported the same way on every target.

Every step call is signed: ``X-Portaflow-Timestamp: <unix seconds>`` and ``X-Portaflow-Signature:
v1=<hex>``, hex being HMAC-SHA256(secret, ``f"{timestamp}.{raw body}"``). A call whose timestamp is more
than ``window`` seconds away from the host's clock, or whose (timestamp, signature) the host has seen
within the window, is refused (401) before anything else is looked at: the step does not run.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import json
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portaflow import stepcall
from portaflow.dsl.decorators import Step

TIMESTAMP_HEADER = "X-Portaflow-Timestamp"
SIGNATURE_HEADER = "X-Portaflow-Signature"
DEFAULT_WINDOW = 300.0

#: called after each step call that ran: (step key, the request's body, the answer's envelope)
Observer = Callable[[str, dict[str, Any], dict[str, Any]], None]

_TIMESTAMP = re.compile(r"[0-9]{1,15}(\.[0-9]{1,9})?")  # ASCII digits only (int() takes any script's)
_ENCODER = json.JSONEncoder(allow_nan=False, ensure_ascii=False, separators=(",", ":"))


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-Portaflow-Signature`` value of a call: ``v1=`` and the lower-case hex HMAC-SHA256 of
    ``f"{timestamp}.{body}"`` keyed with ``secret``; ``timestamp`` exactly as sent in its header."""
    message = str(timestamp).encode("ascii") + b"." + body
    return "v1=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


class _Replays:
    """The (timestamp, signature) pairs accepted within the window: a captured call cannot run twice.

    Only calls inside the window are admitted, and a pair is forgotten once its timestamp has left it
    (after which the window check refuses that call anyway), so memory is bounded by the call rate."""

    def __init__(self, window: float) -> None:
        self.window = window
        self.seen: set[tuple[str, str]] = set()
        self.expiry: list[tuple[float, tuple[str, str]]] = []  # heap by timestamp

    def admit(self, ts: float, pair: tuple[str, str], now: float) -> bool:
        """Record ``pair``; False when it was seen already. Never awaits: atomic on the event loop."""
        while self.expiry and self.expiry[0][0] < now - self.window:
            self.seen.discard(heapq.heappop(self.expiry)[1])
        if pair in self.seen:
            return False
        self.seen.add(pair)
        heapq.heappush(self.expiry, (ts, pair))
        return True


def _refuse(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _envelope(step: Step[..., Any], body: dict[str, Any]) -> dict[str, Any]:
    """Run the step (in a worker thread): ``{"result": ...}``, or ``{"error": {type, message, mro}}``."""
    try:
        return {"result": stepcall.call_step(step, body)}
    except Exception as exc:
        return {"error": stepcall.error_info(exc)}


def _bad_body(step: Step[..., Any], key: str, body: Any) -> str | None:
    """Why ``body`` is not a call of this step (400), else None."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    args = body.get("args", {})
    if not isinstance(args, dict):
        return '"args" must be a JSON object of the step\'s arguments by parameter name'
    given_key = body.get(stepcall.KEY_PARAM)
    if given_key is not None and not isinstance(given_key, str):
        return '"idempotency_key" must be a string'
    if stepcall.wants_key(step) and stepcall.KEY_PARAM not in args and given_key is None:
        return f'step {key!r} takes an idempotency_key: the body must carry "idempotency_key"'
    problem = stepcall.binding_error(step, stepcall.step_kwargs(step, body))
    return None if problem is None else f"the arguments do not fit step {key!r}: {problem}"


def create_app(
    steps: Mapping[str, Step[..., Any]],
    secret: str,
    *,
    window: float = DEFAULT_WINDOW,
    clock: Callable[[], float] = time.time,
    observer: Observer | None = None,
) -> Starlette:
    """The ASGI app serving ``steps`` (keyed as the compiled program's ``program.steps``).

    ``secret`` signs every call (see the module's docstring); ``window`` is how far, in seconds, a call's
    timestamp may be from ``clock()`` either way. ``observer``, when given, is called on the event loop
    after each step call that ran, with the step key, the request's body and the envelope answered
    (``{"result": ...}`` or ``{"error": ...}``); the offline executor records step calls with it.
    """
    if not secret:
        raise ValueError("the step host needs a non-empty secret")
    table = dict(steps)
    replays = _Replays(window)

    def check(request: Request, raw: bytes) -> str | None:
        """Why the call is refused (401), else None; admits its signature against replay."""
        ts_text = request.headers.get(TIMESTAMP_HEADER)
        given = request.headers.get(SIGNATURE_HEADER)
        if ts_text is None or given is None:
            return f"unsigned call: {TIMESTAMP_HEADER} and {SIGNATURE_HEADER} are required"
        if not _TIMESTAMP.fullmatch(ts_text):
            return f"{TIMESTAMP_HEADER} must be unix seconds"
        expected = signature(secret, ts_text, raw)
        if not hmac.compare_digest(expected.encode("ascii"), given.encode("latin-1")):
            return "bad signature"
        ts, now = float(ts_text), clock()
        if abs(now - ts) > window:
            return f"stale call: its timestamp is more than {window:g} s from the host's clock"
        if not replays.admit(ts, (ts_text, given), now):
            return "replayed call: this signature was used already"
        return None

    async def call(request: Request) -> Response:
        raw = await request.body()
        refused = check(request, raw)
        if refused is not None:
            return _refuse(401, refused)
        key = request.path_params["key"]
        step = table.get(key)
        if step is None:
            return _refuse(404, f"no step {key!r} here (steps: {', '.join(sorted(table)) or 'none'})")
        try:
            body = json.loads(raw)
        except ValueError as exc:  # UnicodeDecodeError is a ValueError too
            return _refuse(400, f"the body is not JSON: {exc}")
        problem = _bad_body(step, key, body)
        if problem is not None:
            return _refuse(400, problem)
        # a synchronous step runs in a worker thread: the event loop keeps serving other calls
        envelope = await run_in_threadpool(_envelope, step, body)
        try:
            text = _ENCODER.encode(envelope)
        except ValueError as exc:  # NaN or infinity: JSON has no such number
            envelope = {"error": stepcall.error_info(ValueError(f"the result of step {key!r}: {exc}"))}
            text = _ENCODER.encode(envelope)
        if observer is not None:
            observer(key, body, envelope)
        return Response(text, media_type="application/json")

    async def healthz(request: Request) -> Response:
        return JSONResponse({"ok": True, "steps": sorted(table)})

    app = Starlette(
        routes=[
            Route("/steps/{key}", call, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
    app.state.replays = replays  # what the host remembers against replay, for tests to look at
    return app
