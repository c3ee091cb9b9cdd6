"""The Node packages the Cloudflare backend's offline executor and static gates run (workerd through
Miniflare, esbuild, tsc, wrangler), installed once from the committed ``package-lock.json``.

They go to a cache folder keyed by the lock file's hash (``$PORTAFLOW_NODE_CACHE``, else
``~/.cache/portaflow/cloudflare-node/<hash>``), never into the user's project: ``npm ci`` there on first
use (about 15 s, 250 MB), nothing after. ``python -m portaflow.backends.cloudflare.offline.node`` installs
them ahead of time (the test command does).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOCK = HERE / "package-lock.json"
MANIFEST = HERE / "package.json"


class NodeUnavailable(RuntimeError):
    """Node.js or npm is missing, or the pinned packages could not be installed."""


def cache_dir() -> Path:
    digest = hashlib.sha256(LOCK.read_bytes() + MANIFEST.read_bytes()).hexdigest()[:16]
    base = os.environ.get("PORTAFLOW_NODE_CACHE")
    root = Path(base) if base else Path.home() / ".cache" / "portaflow" / "cloudflare-node"
    return root / digest


def node_binary() -> str:
    node = shutil.which("node")
    if node is None:
        raise NodeUnavailable(
            "the Cloudflare offline executor needs Node.js 20 or newer on PATH (https://nodejs.org)"
        )
    return node


def ensure_node_modules() -> Path:
    """The folder holding ``node_modules`` with the pinned packages, installing them if need be."""
    folder = cache_dir()
    marker = folder / "node_modules" / ".portaflow-installed"
    if marker.exists():
        return folder
    node_binary()
    npm = shutil.which("npm")
    if npm is None:
        raise NodeUnavailable("the Cloudflare offline executor needs npm (it comes with Node.js)")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MANIFEST, folder / "package.json")
    shutil.copyfile(LOCK, folder / "package-lock.json")
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--silent"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise NodeUnavailable(f"npm ci in {folder} failed: {(done.stderr or done.stdout).strip()[-2000:]}")
    marker.write_text("ok\n", encoding="utf-8")
    return folder


def bin_path(tool: str) -> Path:
    """``node_modules/.bin/<tool>`` of the installed packages (tsc, wrangler, esbuild)."""
    return ensure_node_modules() / "node_modules" / ".bin" / tool
