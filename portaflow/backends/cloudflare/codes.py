"""The Cloudflare backend's own diagnostic codes (docs/compile-errors.md, with the neutral ones)."""

from __future__ import annotations

from portaflow.backends.base import CodeInfo

CODES: dict[str, CodeInfo] = {
    "PFC061": CodeInfo("Cloudflare's engine cannot carry this as written (cloudflare)"),
}
