"""Request signatures: HMAC-SHA256 over ``"<timestamp>.<body>"`` with the shared secret, as Stripe and Slack
sign webhooks; a window bounds staleness and a memory of recent signatures refuses replays."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Callable

WINDOW = 300.0  # seconds a signed request stays valid, either side of the host's clock


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Portaflow-Signature`` value of a request: ``v1=<lower-case hex>``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


class Verifier:
    """Checks signatures; remembers those seen within the window, so each is accepted once."""

    def __init__(self, secret: str, window: float = WINDOW, clock: Callable[[], float] | None = None) -> None:
        import time

        self.secret = secret
        self.window = window
        self.clock = clock or time.time
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def check(self, timestamp: str | None, sig: str | None, body: bytes) -> str | None:
        """None when the request is authentic, fresh and new; else why not (the 401's message)."""
        if not timestamp or not sig:
            return "unsigned request: X-Portaflow-Timestamp and X-Portaflow-Signature are required"
        try:
            ts = float(timestamp)
        except ValueError:
            return "X-Portaflow-Timestamp is not a number of seconds"
        now = self.clock()
        if abs(now - ts) > self.window:
            return f"stale request: its timestamp is more than {self.window:.0f}s from the host's clock"
        if not hmac.compare_digest(signature(self.secret, timestamp, body), sig):
            return "bad signature: sign '<timestamp>.<body>' with HMAC-SHA256 and the shared secret"
        with self._lock:
            for old, at in list(self._seen.items()):
                if now - at > 2 * self.window:
                    del self._seen[old]
            if sig in self._seen:
                return "replayed request: this signature was already used"
            self._seen[sig] = now
        return None
