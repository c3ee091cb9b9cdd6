"""``python -m portaflow.backends.cloudflare.offline.node``: install the pinned Node packages now."""

from __future__ import annotations

import sys

from . import NodeUnavailable, ensure_node_modules

try:
    print(ensure_node_modules())
except NodeUnavailable as exc:
    print(f"portaflow: {exc}", file=sys.stderr)
    sys.exit(1)
