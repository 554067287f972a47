"""Security headers on every answer: the API, the phone app's files and error pages alike.

The Content-Security-Policy is strict because the phone app needs nothing more: its scripts, styles, service
worker and API are all on its own origin; photos are shown from ``blob:`` (taken offline, not yet sent) and
``data:`` URLs. No inline script or style is allowed, which turns most injected markup into inert text. A route
that sets its own policy (photo bytes: ``default-src 'none'; sandbox``) keeps it. The API documentation viewer
under ``/schema`` loads its script from a CDN, so it gets no CSP (it shows no personal data).
"""

from __future__ import annotations

from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' blob: data:",
    "worker-src 'self'",
    "connect-src 'self'",
    "style-src 'self'",
    "script-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    # The camera is used through a file input with ``capture``; nothing else the browser offers is needed.
    "permissions-policy": "camera=(self), microphone=(), geolocation=(), payment=(), usb=()",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: adds the headers to each response's start message unless already set."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers") or [])
    present = {name.lower() for name, _ in headers}
    wanted = dict(SECURITY_HEADERS)
    if not scope.get("path", "").startswith("/schema"):
        wanted["content-security-policy"] = CONTENT_SECURITY_POLICY
    for name, value in wanted.items():
        if name.encode() not in present:
            headers.append((name.encode(), value.encode()))
    message["headers"] = headers
