"""The pinned Node packages (tsc, wrangler, Miniflare), installed once per machine (scripts/test.sh does it
ahead of the run; npm ci here otherwise)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def cf_node_modules() -> Path:
    from portaflow.backends.cloudflare.offline.node import ensure_node_modules

    return ensure_node_modules() / "node_modules"
