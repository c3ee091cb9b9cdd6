"""The Cloudflare backend's own diagnostic codes (docs/compile-errors.md, with the neutral ones)."""

from __future__ import annotations

from portaflow.backends.base import CodeInfo

CODES: dict[str, CodeInfo] = {
    # an expression whose Python result the TypeScript lowering cannot give (a lazy range/zip/dict view
    # kept as a value, a datetime subtracted): the message says why and what to write instead
    "PFC060": CodeInfo("Python's result cannot be given on Cloudflare (cloudflare)"),
    "PFC061": CodeInfo("Cloudflare's engine cannot carry this as written (cloudflare)"),
    "PFC083": CodeInfo(
        "ctx.start_workflow (a child as a run of its own) is not compiled for Cloudflare (cloudflare)"
    ),
    "PFW160": CodeInfo("JSON text of floats differs on Cloudflare", "warning"),
}
