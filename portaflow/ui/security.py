"""Who may use the dashboard, and from where: the Host check, the token, CSRF and the response headers.

- **Host**: a request whose ``Host`` is not a name of the bound address is refused (400), so that a web
  page on another site cannot reach a dashboard on 127.0.0.1 through a DNS name it rebinds there.
- **Token**: when one is set (always, when bound beyond loopback), every request carries it, as
  ``Authorization: Bearer TOKEN`` or the HttpOnly cookie that a first ``GET /?token=TOKEN`` sets (then
  redirects to the same URL without it, so it does not stay in the address bar or in the history);
  anything else is 401.
- **CSRF**: every state-changing request is a POST that carries the process's CSRF token (each form has
  it) and, when the browser sends an ``Origin``, the dashboard's own; else 403.
- **Headers**: a Content-Security-Policy that allows the page's own scripts and styles only (nothing
  inline, nothing from elsewhere), no framing, no sniffing, no referrer sent to other sites.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_ENV = "PORTAFLOW_UI_TOKEN"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
HEADERS = (
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),  # not no-referrer: a form POST would then say `Origin: null`
    (b"cache-control", b"no-store"),
)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    return host.strip("[]") in ("0.0.0.0", "::", "")


def allowed_hosts(bound: str, extra: Iterable[str] = ()) -> frozenset[str] | None:
    """The ``Host`` names a request may use for a server bound to ``bound``; None: any (a wildcard
    address answers under every name the machine has, and then the token is what guards it)."""
    if is_wildcard(bound):
        return None
    names = {bound.strip("[]").lower(), *(h.lower() for h in extra)}
    if is_loopback(bound):
        names |= LOOPBACK_NAMES
    return frozenset(names)


def host_name(header: str) -> str:
    """The name of a ``Host`` header, without its port: ``[::1]:8233`` is ``::1``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


@dataclass(frozen=True)
class Guard:
    """The dashboard's security settings, shared by the middleware and the form handlers."""

    hosts: frozenset[str] | None
    token: str | None
    port: int
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def cookie(self) -> str:
        return f"portaflow_ui_{self.port}"  # one per port: two dashboards on one host keep their own

    def host_ok(self, host: str | None) -> bool:
        return host is not None and (self.hosts is None or host_name(host) in self.hosts)

    def token_ok(self, given: str | None) -> bool:
        return self.token is None or (given is not None and hmac.compare_digest(given, self.token))

    def csrf_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given, self.csrf)

    def origin_ok(self, origin: str | None, host: str | None) -> bool:
        """A browser's ``Origin`` (sent with every POST) must be this dashboard's own URL."""
        if origin is None:
            return True  # not a browser's cross-site request: those always say where they come from
        return host is not None and origin.lower() in (f"http://{host.lower()}", f"https://{host.lower()}")


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


class GuardMiddleware:
    """Host and token checks before the app sees a request; the security headers on every answer."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if not self.guard.host_ok(headers.get("host")):
            await _plain(
                send, 400, "this dashboard answers to its own address only (the Host header is not it)"
            )
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = dict(query).get("token")
        if self.guard.token is not None and given is not None and scope["method"] == "GET":
            if not self.guard.token_ok(given):
                await _plain(send, 401, _NEEDS_TOKEN)
                return
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            await _redirect(send, quote(scope["path"]) + (f"?{rest}" if rest else ""), self._set_cookie())
            return
        if not self.guard.token_ok(self._token_of(headers)):
            await _plain(send, 401, _NEEDS_TOKEN)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, secured)

    def _token_of(self, headers: dict[str, str]) -> str | None:
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip()
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header: as if it had none
            return None
        morsel = jar.get(self.guard.cookie)
        return morsel.value if morsel is not None else None

    def _set_cookie(self) -> bytes:
        return f"{self.guard.cookie}={self.guard.token}; HttpOnly; SameSite=Strict; Path=/".encode("latin-1")


_NEEDS_TOKEN = (
    "this dashboard needs its token: open the URL `portaflow ui` printed (it ends in ?token=...), "
    "or send the header Authorization: Bearer TOKEN"
)


async def _plain(send: Send, status: int, text: str) -> None:
    body = (text + "\n").encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), *HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, location: str, cookie: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", location.encode("latin-1")), (b"set-cookie", cookie), *HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": b""})
