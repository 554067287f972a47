"""Cross-site request forgery: cookie-authenticated writes must come from the app's own pages.

The phone app signs in with an HttpOnly, SameSite=Strict cookie and writes with same-origin ``fetch``; it sends
no CSRF token, and it must keep working unchanged. So the defence is OWASP's "verifying origin with standard
headers" (CSRF Prevention Cheat Sheet): browsers attach ``Origin`` to every cross-origin request and to every
POST, PUT, PATCH and DELETE, and scripts cannot forge it. For an unsafe method that carries the session cookie
and no Bearer token:

- ``Origin`` present: its host must be the request's own ``Host``;
- ``Origin`` absent: ``Sec-Fetch-Site`` must say ``same-origin`` (or ``none``: typed by the user);
- neither: refused. A non-browser client has no business using the cookie; it sends ``Authorization: Bearer``.

The cookie rule is applied where the cookie is turned into a person (``server.auth.dependencies``), so public
routes (sign-in, accepting an invitation) ignore a cookie they do not use. Any unsafe request whose ``Origin``
names another site is refused by the middleware below, even without a cookie (a forged sign-in would log a
victim into the attacker's account). Bearer requests are not at risk: a browser never adds that header by
itself. SameSite=Strict on the cookie is defence in depth: a modern browser would not even send it cross-site.

Hosts are compared without the scheme: behind a TLS-terminating proxy the server sees ``http`` while the page
is ``https``. Litestar's built-in CSRFConfig (a double-submit token) was not used because it needs the client to
echo a token.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.types import ASGIApp, Receive, Scope, Send

from server.auth.sessions import COOKIE_NAME
from server.problems import CrossSiteRequest

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _headers(scope: Scope) -> dict[str, str]:
    return {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}


def foreign_origin(method: str, headers: dict[str, str]) -> str | None:
    """Why an unsafe request must be refused for naming another site in ``Origin``, or ``None``."""
    if method.upper() in SAFE_METHODS or headers.get("authorization", "").lower().startswith("bearer "):
        return None
    origin = headers.get("origin")
    if origin is not None and (origin == "null" or urlsplit(origin).netloc.lower() != headers.get("host", "").lower()):
        return "this request came from another site"
    return None


def cookie_write_refusal(method: str, headers: dict[str, str]) -> str | None:
    """For a request authenticated by the session cookie: why it must be refused, or ``None``."""
    if method.upper() in SAFE_METHODS:
        return None
    reason = foreign_origin(method, headers)
    if reason is not None or "origin" in headers:
        return reason
    if headers.get("sec-fetch-site") in ("same-origin", "none"):
        return None
    return "a signed-in write from a browser must say where it came from (Origin); API clients use Bearer tokens"


def csrf_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            reason = foreign_origin(scope["method"], _headers(scope))
            if reason is not None:
                raise CrossSiteRequest(reason)
        await app(scope, receive, send)

    return middleware
