"""The dashboard's Starlette app: pages, their live updates over server-sent events, and the two actions
(answer a waiting run, cancel a run).

The app reads the database through :class:`Queries` and writes only through the engine's public calls
(``Engine.deliver(..., only_if_waiting=True)`` and ``Engine.cancel``), the same durable writes as
``portaflow signal`` and ``portaflow cancel``. It never runs workflow code: a worker (``portaflow
worker``) continues a run once its event is recorded, as it continues every other run.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from portaflow.dsl.errors import NotWaiting, PortaflowError, RunNotFound
from portaflow.local_engine import Engine
from portaflow.ui import views
from portaflow.ui.graph_view import NODE_H, GraphCache
from portaflow.ui.queries import Queries
from portaflow.ui.security import Guard, GuardMiddleware

HERE = Path(__file__).parent
POLL_SECONDS = 0.5  # how often a live page's stream looks whether the database changed
MAX_FORM_BYTES = 1_000_000  # an answer's payload is typed by a person: a megabyte is plenty
PING_SECONDS = 15.0  # a comment line this often keeps proxies and the browser from closing an idle stream

APPROVE, REJECT = {"approved": True}, {"approved": False}
# what happened, shown after the redirect that follows an action (fixed texts: nothing from the URL)
NOTICES = {
    "approve": "Approved: the event {event} was recorded for run {run}. A worker continues the run.",
    "reject": "Rejected: the event {event} was recorded for run {run}. A worker continues the run.",
    "custom": "Sent: the event {event} with your payload was recorded for run {run}. A worker continues it.",
    "cancel": "Run {run}: {outcome}.",
}


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every value is escaped: a step result holding <script> is shown as text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["NODE_H"] = NODE_H
    return env


class Dashboard:
    """The app's state and handlers: the database's reads, the engine for writes, the templates."""

    def __init__(self, db: str, guard: Guard, stopping: Callable[[], bool]) -> None:
        self.engine = Engine(db)  # validates the file (a portaflow database) and adds the browse indexes
        self.queries = Queries(self.engine.store.path)
        self.graphs = GraphCache()
        self.guard = guard
        self.stopping = stopping
        self.env = _environment()
        self.live_views: dict[str, Callable[[dict[str, str]], str]] = {
            "runs": lambda p: self._fragment("_runs_table.html", views.runs_context(self.queries, p)),
            "run": lambda p: self._fragment(
                "_run_live.html", views.run_context(self.queries, self.graphs, p["id"])
            ),
            "inbox": lambda p: self._fragment("_inbox_table.html", views.inbox_context(self.queries)),
        }

    def close(self) -> None:
        self.queries.close()
        self.engine.close()

    # ----- rendering --------------------------------------------------------------------------------

    def _fragment(self, name: str, context: dict[str, Any]) -> str:
        return self.env.get_template(name).render(csrf=self.guard.csrf, form_error=None, **context)

    def page(self, request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        context = {
            "csrf": self.guard.csrf,
            "form_error": None,
            "notice": self._notice(request),
            "waiting_count": self._waiting_count(),
            "path": request.url.path,  # a refused form's page says its own: the page the form was on
            **context,
        }
        return HTMLResponse(self.env.get_template(name).render(**context), status)

    def _waiting_count(self) -> int | None:
        try:
            return self.queries.waiting_count()
        except sqlite3.Error:  # the page that says the database refused is drawn without it
            return None

    def failure(self, request: Request, status: int, message: str) -> HTMLResponse:
        return self.page(request, "error.html", {"status": status, "message": message}, status)

    def _notice(self, request: Request) -> str | None:
        q = request.query_params
        text = NOTICES.get(q.get("done", ""))
        if text is None:
            return None
        return text.format(event=repr(q.get("event", "")), run=q.get("run", ""), outcome=q.get("outcome", ""))

    # ----- pages ------------------------------------------------------------------------------------

    async def runs(self, request: Request) -> Response:
        params = dict(request.query_params)
        try:
            context = await run_in_threadpool(views.runs_context, self.queries, params)
        except PortaflowError as exc:
            return self.failure(request, 400, str(exc))
        return self.page(request, "runs.html", context)

    async def run(self, request: Request) -> Response:
        return await self._run_page(request, request.path_params["run_id"])

    async def _run_page(
        self, request: Request, run_id: str, status: int = 200, form_error: dict[str, str] | None = None
    ) -> Response:
        try:
            context = await run_in_threadpool(views.run_context, self.queries, self.graphs, run_id)
        except RunNotFound as exc:
            return self.failure(request, 404, str(exc))
        return self.page(
            request, "run.html", {**context, "form_error": form_error, "path": f"/runs/{run_id}"}, status
        )

    async def inbox(
        self, request: Request, status: int = 200, form_error: dict[str, str] | None = None
    ) -> Response:
        context = await run_in_threadpool(views.inbox_context, self.queries)
        return self.page(
            request, "inbox.html", {**context, "form_error": form_error, "path": "/inbox"}, status
        )

    async def inbox_page(self, request: Request) -> Response:
        return await self.inbox(request)

    # ----- live updates -----------------------------------------------------------------------------

    async def live(self, request: Request) -> Response:
        """``text/event-stream`` of the page's changing part: re-rendered whenever the database changed
        (another connection committed), sent when it differs from what was sent last."""
        render = self.live_views.get(request.path_params["view"])
        params = dict(request.query_params)
        if render is None or (request.path_params["view"] == "run" and "id" not in params):
            return PlainTextResponse("no such live view", 404)
        return StreamingResponse(
            self._stream(request, render, params),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    async def fragment(self, request: Request) -> Response:
        """The live part once, for pages whose browser has no EventSource (they poll this)."""
        render = self.live_views.get(request.path_params["view"])
        params = dict(request.query_params)
        if render is None or (request.path_params["view"] == "run" and "id" not in params):
            return PlainTextResponse("no such live view", 404)
        try:
            return HTMLResponse(await run_in_threadpool(render, params))
        except PortaflowError as exc:
            return PlainTextResponse(str(exc), 404 if isinstance(exc, RunNotFound) else 400)

    async def _stream(
        self, request: Request, render: Callable[[dict[str, str]], str], params: dict[str, str]
    ) -> AsyncIterator[str]:
        yield "retry: 2000\n\n"
        seen: int | None = None
        sent: str | None = None
        quiet = 0.0
        while not self.stopping() and not await request.is_disconnected():
            version = await run_in_threadpool(self.queries.version)
            if version != seen:
                seen = version
                try:
                    html = await run_in_threadpool(render, params)
                except PortaflowError as exc:  # the run was pruned meanwhile, a filter went bad...
                    html = self.env.get_template("_gone.html").render(message=str(exc))
                if html != sent:
                    sent = html
                    quiet = 0.0
                    yield f"event: update\ndata: {json.dumps({'html': html})}\n\n"
            quiet += POLL_SECONDS
            if quiet >= PING_SECONDS:
                quiet = 0.0
                yield ": ping\n\n"
            await asyncio.sleep(POLL_SECONDS)

    # ----- actions ----------------------------------------------------------------------------------

    async def _form(self, request: Request) -> dict[str, str] | Response:
        """The POSTed form (urlencoded, as the pages send it), or the refusal of a request that is not
        the dashboard's own (CSRF) or too large to be an answer."""
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            return PlainTextResponse(f"refused: a form of more than {MAX_FORM_BYTES} bytes", 413)
        fields = dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
        host = request.headers.get("host")
        if not self.guard.csrf_ok(fields.get("csrf")) or not self.guard.origin_ok(
            request.headers.get("origin"), host
        ):
            return PlainTextResponse(
                "refused: this form was not sent by this dashboard's own page (CSRF check); reload the page "
                "and send it again",
                403,
            )
        return fields

    async def answer(self, request: Request) -> Response:
        """Deliver the event a run waits for: Approve, Reject, or a custom JSON payload; once, however
        many clicks or people answer together (the engine refuses all but the first: 409)."""
        run_id = request.path_params["run_id"]
        fields = await self._form(request)
        if isinstance(fields, Response):
            return fields
        event, choice, back = fields.get("event", ""), fields.get("choice", ""), fields.get("back", "run")
        typed = fields.get("payload", "")

        async def refuse(status: int, message: str) -> Response:
            error = {"run_id": run_id, "message": message, "payload": typed}
            if back == "inbox":
                return await self.inbox(request, status, error)
            return await self._run_page(request, run_id, status, error)

        payload: Any
        if choice == "approve":
            payload = APPROVE
        elif choice == "reject":
            payload = REJECT
        elif choice == "custom":
            try:
                payload = _parse_payload(typed)
            except ValueError as exc:
                return await refuse(400, str(exc))
        else:
            return await refuse(400, f"unknown choice {choice!r}: Approve, Reject or Send")
        if not event:
            return await refuse(400, "the form names no event; reload the page")
        try:
            await run_in_threadpool(self.engine.deliver, run_id, event, payload, only_if_waiting=True)
        except NotWaiting as exc:
            return await refuse(409, f"already answered: {exc}")
        except RunNotFound as exc:
            return self.failure(request, 404, str(exc))
        except PortaflowError as exc:
            return await refuse(400, str(exc))
        target = "/inbox" if back == "inbox" else f"/runs/{run_id}"
        return _after(target, done=choice, run=run_id, event=event)

    async def cancel(self, request: Request) -> Response:
        run_id = request.path_params["run_id"]
        fields = await self._form(request)
        if isinstance(fields, Response):
            return fields
        try:
            before = await run_in_threadpool(self.engine.status, run_id)
            if before.done:
                return await self._run_page(
                    request, run_id, 409, {"run_id": run_id, "message": f"the run is {before.status} already"}
                )
            after = await run_in_threadpool(self.engine.cancel, run_id)
        except RunNotFound as exc:
            return self.failure(request, 404, str(exc))
        outcome = (
            "cancelled"
            if after.done
            else "cancellation requested (the worker executing it stops it at its next step)"
        )
        return _after(f"/runs/{run_id}", done="cancel", run=run_id, outcome=outcome)

    async def health(self, request: Request) -> Response:
        return PlainTextResponse("ok")


def _parse_payload(text: str) -> Any:
    """The custom payload: JSON, else a ValueError that says where and what to write instead."""
    if not text.strip():
        raise ValueError('the payload is empty: type JSON, e.g. {"approved": true, "note": "ok"}')
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"the payload is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
            'write e.g. {"approved": true, "note": "ok"}'
        ) from None


def _after(target: str, **notice: str) -> Response:
    return RedirectResponse(f"{target}?{urlencode(notice)}", status_code=303)


def create_app(db: str, guard: Guard, *, stopping: Callable[[], bool] = lambda: False) -> Starlette:
    """The dashboard on the database ``db`` (which must exist), guarded by ``guard``; ``stopping`` says
    when the server shuts down, so that live streams end instead of holding it open."""
    board = Dashboard(db, guard, stopping)
    routes = [
        Route("/", board.runs),
        Route("/runs/{run_id}", board.run),
        Route("/inbox", board.inbox_page),
        Route("/live/{view}", board.live),
        Route("/live-fragment/{view}", board.fragment),
        Route("/runs/{run_id}/answer", board.answer, methods=["POST"]),
        Route("/runs/{run_id}/cancel", board.cancel, methods=["POST"]),
        Route("/healthz", board.health),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        board.close()

    async def database_refused(request: Request, exc: Exception) -> Response:
        """Locked for over a minute, disk full, the file removed underneath: one line, no traceback."""
        return board.failure(request, 503, f"the database refused the operation: {exc}; try again")

    app = Starlette(
        routes=routes,
        middleware=[Middleware(GuardMiddleware, guard=guard)],
        exception_handlers={sqlite3.Error: database_refused},
        lifespan=lifespan,
    )
    app.state.dashboard = board
    return app
