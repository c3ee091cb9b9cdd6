"""``portaflow stephost FILE[:WORKFLOW]`` (and ``python -m portaflow.stephost``): serve a workflow's steps.

Only argparse (and the light portaflow.cli) is imported here, so that ``portaflow --help`` stays fast; the
compiler, Starlette and uvicorn are imported when the command runs. Exit codes: 0 stopped (Ctrl-C,
SIGTERM), 2 cannot start (no secret, bad workflow, address in use), each with one line on stderr.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from collections.abc import Sequence

from portaflow.cli import STEPHOST_HELP as HELP

SECRET_ENV = "PORTAFLOW_STEP_SECRET"  # the secret both sides sign with
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
EXIT_OK, EXIT_USAGE = 0, 2


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The command's arguments, shared by ``portaflow stephost`` and ``python -m portaflow.stephost``."""
    p.add_argument("target", metavar="FILE[:WORKFLOW]", help="the workflow whose steps to serve")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    p.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free port)"
    )


def _fail(message: str) -> int:
    print(f"portaflow stephost: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _listen(host: str, port: int) -> socket.socket:
    """A socket listening before uvicorn starts, so that the URL printed has the real port (``--port 0``)
    and a client that reads it may connect at once (the connection waits in the backlog)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def run(args: argparse.Namespace) -> int:
    """Load the steps, print the URL, serve until stopped."""
    secret = os.environ.get(SECRET_ENV, "")
    if not secret:
        return _fail(f"set {SECRET_ENV} to the secret the workflow's runtime signs step calls with")
    from .load import StepHostError, load_steps

    try:
        steps = load_steps(args.target)
    except StepHostError as exc:
        return _fail(str(exc))
    import uvicorn

    from .app import create_app

    try:
        sock = _listen(args.host, args.port)
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    host, port = sock.getsockname()[:2]
    url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    print(
        f"portaflow stephost: serving {len(steps)} step(s) of {args.target} at {url} "
        f"(POST {url}/steps/KEY, GET {url}/healthz)",
        flush=True,
    )
    server = uvicorn.Server(uvicorn.Config(create_app(steps, secret), log_level="info"))
    server.run(sockets=[sock])
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portaflow.stephost", description=HELP)
    add_arguments(parser)
    return run(parser.parse_args(argv))
