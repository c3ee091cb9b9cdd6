"""The HTTP app one executor serves the worker: the step host (``/steps/<key>``, signed as in production)
and the offline hooks (``/hooks/state``: where the run parks; ``/hooks/wake``: until a sleep's virtual end;
``/hooks/attempt``: each step attempt as the workflow saw it; ``/hooks/log``: each ctx.log line written;
``/hooks/clock``: the virtual time)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

if TYPE_CHECKING:
    from .executor import CloudflareExecutor


def fresh_ref(source: Path, workflow: str | None) -> str:
    """``FILE[:WORKFLOW]`` for the step host, after forgetting the project's modules already imported: each
    executor serves fresh copies (module-level state, such as a scripted fake LLM, starts anew), as a new step
    host process would."""
    from portaflow.source.finder import entry_module

    _, root, _ = entry_module(source)
    root = root.resolve()
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and not name.startswith("portaflow") and Path(file).resolve().is_relative_to(root):
            del sys.modules[name]
    return f"{source}:{workflow}" if workflow else str(source)


def executor_app(executor: CloudflareExecutor, secret: str) -> Starlette:
    from portaflow.stephost.app import create_app
    from portaflow.stephost.load import load_steps

    async def state(request: Request) -> JSONResponse:
        executor.on_state(await request.json())
        return JSONResponse({"ok": True})

    async def wake(request: Request) -> JSONResponse:
        return JSONResponse(await executor.wake(await request.json()))

    async def clock(request: Request) -> JSONResponse:
        return JSONResponse({"now": executor.clock()})

    async def attempt(request: Request) -> JSONResponse:
        executor.on_attempt(await request.json())
        return JSONResponse({"ok": True})

    async def log(request: Request) -> JSONResponse:
        executor.on_log(await request.json())
        return JSONResponse({"ok": True})

    steps = load_steps(fresh_ref(executor.source, executor.workflow))
    return Starlette(
        routes=[
            Route("/hooks/state", state, methods=["POST"]),
            Route("/hooks/clock", clock, methods=["POST"]),
            Route("/hooks/wake", wake, methods=["POST"]),
            Route("/hooks/attempt", attempt, methods=["POST"]),
            Route("/hooks/log", log, methods=["POST"]),
            Mount("/", create_app(steps, secret)),
        ]
    )
