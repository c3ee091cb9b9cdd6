"""``python -m portaflow.stephost FILE[:WORKFLOW] [--host H] [--port P]`` (secret: $PORTAFLOW_STEP_SECRET)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .load import LoadError, load_steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m portaflow.stephost", description="Serve a workflow's @step functions over signed HTTP."
    )
    parser.add_argument("target", metavar="FILE[:WORKFLOW]")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    args = parser.parse_args(argv)
    secret = os.environ.get("PORTAFLOW_STEP_SECRET", "")
    if not secret:
        print(
            "portaflow stephost: set PORTAFLOW_STEP_SECRET to the secret the workflow signs its calls with "
            "(the worker's STEP_SECRET)",
            file=sys.stderr,
        )
        return 2
    file, _, workflow = args.target.partition(":")
    try:
        steps = load_steps(Path(file), workflow or None, fresh=False)
    except LoadError as exc:
        print(f"portaflow stephost: {exc}", file=sys.stderr)
        return 1
    import uvicorn

    from .app import create_app

    print(f"portaflow stephost: serving {len(steps)} step(s) of {file} on http://{args.host}:{args.port}", flush=True)
    uvicorn.run(create_app(steps, secret), host=args.host, port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
