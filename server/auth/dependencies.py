"""``viewer``: the signed-in person, resolved from a Bearer token or the app's session cookie."""

from __future__ import annotations

import datetime as dt

from litestar import Request

from server.auth.sessions import COOKIE_NAME, Viewer, viewer_for_token
from server.auth.csrf import cookie_write_refusal
from server.problems import CrossSiteRequest, NotSignedIn

#: Routes that need a signed-in person declare this in their OpenAPI entry.
SIGNED_IN = [{"bearer": []}, {"session_cookie": []}]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def token_from(request: Request) -> str | None:
    return bearer_token(request) or request.cookies.get(COOKIE_NAME) or None


async def current_viewer(request: Request) -> Viewer:
    token = bearer_token(request)
    if token is None:
        token = request.cookies.get(COOKIE_NAME) or None
        # Only the cookie is sent by a browser on its own: a write it authenticates must come from our pages.
        refusal = cookie_write_refusal(request.method, dict(request.headers))
        if token and refusal:
            raise CrossSiteRequest(refusal)
    if not token:
        raise NotSignedIn("sign in first")
    lifetime = dt.timedelta(days=request.app.state.settings.session_days)
    viewer = await viewer_for_token(token, lifetime)
    if viewer is None:
        raise NotSignedIn("your session has ended; sign in again (nothing waiting to sync is lost)")
    return viewer
