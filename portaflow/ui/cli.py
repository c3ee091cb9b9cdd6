"""``portaflow ui [--db PATH] [--host 127.0.0.1] [--port 8233]``: serve the dashboard until Ctrl-C.

Only argparse and the standard library are imported here, so that ``portaflow --help`` stays fast;
Starlette, uvicorn, jinja2 and the app come when the command runs. Exit codes: 0 stopped (Ctrl-C,
SIGTERM), 2 cannot start (no such database, bad option, address in use), with one line on stderr.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import sys
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8233
EXIT_OK, EXIT_USAGE = 0, 2


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}; any other address requires a token)",
    )
    p.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free port)"
    )
    p.add_argument(
        "--token",
        help="require this token on every request (default: $PORTAFLOW_UI_TOKEN; generated and printed when "
        "--host is not a loopback address and none is given)",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a further name the dashboard is reached by (the Host header), e.g. a DNS name of --host",
    )


def _fail(message: str) -> int:
    print(f"portaflow ui: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket before uvicorn starts, so that the URL printed has the real port (``--port 0``)
    and a browser opening it at once finds the server."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def run(args: argparse.Namespace) -> int:
    """Check the options and the database, print the URL, serve until stopped."""
    from portaflow.local_engine import default_db_path
    from portaflow.ui.security import TOKEN_ENV, allowed_hosts, is_loopback, is_wildcard

    if not 0 <= args.port <= 65535:
        return _fail(f"--port {args.port} is not a port number (0-65535; 0 picks a free one)")
    db = args.db or default_db_path()
    if not Path(db).is_file():
        return _fail(
            f"{db}: no such database (runs are recorded by `portaflow run` or a worker); check --db or "
            "$PORTAFLOW_DB"
        )
    token = args.token or os.environ.get(TOKEN_ENV) or None
    generated = token is None and not is_loopback(args.host)
    if generated:
        token = secrets.token_urlsafe(24)
    import uvicorn

    from portaflow.dsl.errors import PortaflowError
    from portaflow.ui.app import create_app
    from portaflow.ui.security import Guard

    servers: list[uvicorn.Server] = []
    try:
        sock = _listen(args.host, args.port)
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    port = int(sock.getsockname()[1])
    guard = Guard(allowed_hosts(args.host, args.allow_host), token, port)
    try:
        app = create_app(db, guard, stopping=lambda: bool(servers) and servers[0].should_exit)
    except PortaflowError as exc:
        sock.close()
        return _fail(str(exc))
    shown = socket.gethostname() if is_wildcard(args.host) else args.host.strip("[]")
    url = _url(shown, port)
    if generated:
        print(f"portaflow ui: {db} at {url}?token={token}", flush=True)
        print(
            f"  (bound to {args.host}: every request needs this token; set {TOKEN_ENV} to choose it)",
            flush=True,
        )
    elif token is not None:
        print(
            f"portaflow ui: {db} at {url} (open {url}?token=TOKEN once, with the token you set)", flush=True
        )
    else:
        print(f"portaflow ui: {db} at {url} (Ctrl-C stops it)", flush=True)
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=3, lifespan="on")
    )
    servers.append(server)
    # uvicorn stops on SIGINT/SIGTERM, then raises the signal again for the handler it replaced: this one,
    # which ignores it, so that Ctrl-C is a clean stop (exit 0) rather than an interruption
    quiet = {s: signal.signal(s, lambda *_: None) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=[sock])
    finally:
        for s, handler in quiet.items():
            signal.signal(s, handler)
    print("portaflow ui: stopped", file=sys.stderr, flush=True)
    return EXIT_OK
