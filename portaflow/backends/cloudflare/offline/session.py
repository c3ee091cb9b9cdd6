"""What the Cloudflare executors of a process share: Node drivers, each holding one Miniflare (workerd), and
one local HTTP server for what the generated workers call back (the step host, the offline hooks).

Starting workerd costs about a second; a test session runs ~100 workflows one after another, so they reuse
one driver: each executor loads its workflow under a name of its own (fresh workflow storage, so instance
ids may repeat) and gets a route prefix of its own on the server (``/x/<token>/steps/...``,
``/x/<token>/hooks/...``). Executors open at the same time hold a driver each.
"""

from __future__ import annotations

import atexit
import json
import shutil
import socket
import subprocess
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from .node import ensure_node_modules, node_binary

HERE = Path(__file__).resolve().parent
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class DriverError(RuntimeError):
    """The Node driver (Miniflare) refused a request or died."""


class Driver:
    """The Node process (``driver.mjs``): JSON lines, one answer per request, matched by id."""

    def __init__(self) -> None:
        folder = ensure_node_modules()
        script = folder / "driver.mjs"  # next to node_modules, so that its imports resolve there
        shutil.copyfile(HERE / "driver.mjs", script)
        self.proc = subprocess.Popen(
            [node_binary(), str(script)],
            cwd=folder,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self._ids = 0
        self._lock = threading.Lock()
        self._pending: dict[int, Future[Any]] = {}
        self._stderr: list[str] = []
        threading.Thread(target=self._read, daemon=True, name="portaflow-cf-driver").start()
        threading.Thread(target=self._read_stderr, daemon=True, name="portaflow-cf-driver-err").start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue  # workerd's own output
            fut = self._pending.pop(msg.get("rid"), None)
            if fut is None:
                continue
            if msg.get("ok"):
                fut.set_result(msg.get("result"))
            else:
                fut.set_exception(DriverError(str(msg.get("error"))))
        for fut in list(self._pending.values()):
            fut.set_exception(DriverError(f"the Node driver exited: {''.join(self._stderr)[-2000:]}"))

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._stderr.append(line)
            del self._stderr[:-200]

    def call(self, op: str, timeout: float = 60.0, **args: Any) -> Any:
        with self._lock:
            if self.proc.poll() is not None:
                raise DriverError(f"the Node driver exited: {''.join(self._stderr)[-2000:]}")
            self._ids += 1
            fut: Future[Any] = Future()
            self._pending[self._ids] = fut
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps({**args, "rid": self._ids, "op": op}) + "\n")
            self.proc.stdin.flush()
        return fut.result(timeout=timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()


class Server:
    """The local HTTP server the worker calls: each executor's ASGI app under ``/x/<token>``."""

    def __init__(self) -> None:
        import uvicorn

        self.apps: dict[str, ASGIApp] = {}
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self._dispatch, interface="asgi3", log_level="warning", lifespan="off", access_log=False
        )
        self.server = uvicorn.Server(config)
        self._sock = sock
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, daemon=True, name="portaflow-cf-server"
        )
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("the offline executor's HTTP server did not start")
            threading.Event().wait(0.01)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        parts = path.split("/", 3)  # "", "x", token, rest
        app = self.apps.get(parts[2]) if len(parts) > 2 and parts[1] == "x" else None
        if app is None:
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b"no such executor"})
            return
        inner = dict(scope)
        inner["path"] = "/" + (parts[3] if len(parts) > 3 else "")
        inner["raw_path"] = inner["path"].encode()
        await app(inner, receive, send)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


_server: Server | None = None
_idle: list[Driver] = []  # drivers no executor holds: the next executor takes one (its workerd is warm)
_all: list[Driver] = []
_lock = threading.Lock()


def acquire() -> tuple[Driver, Server]:
    """A driver of the process's own (started on first use, reused by the next executor once released) and
    the shared server. Executors open at the same time each hold a driver (a Miniflare) of their own."""
    global _server
    with _lock:
        if _server is None:
            _server = Server()
            atexit.register(_close)
        while _idle:
            driver = _idle.pop()
            if driver.proc.poll() is None:
                return driver, _server
        driver = Driver()
        _all.append(driver)
        return driver, _server


def release(driver: Driver) -> None:
    with _lock:
        if driver.proc.poll() is None:
            _idle.append(driver)


def _close() -> None:
    global _server
    for driver in _all:
        driver.close()
    _all.clear()
    _idle.clear()
    if _server is not None:
        _server.close()
        _server = None
