"""``viewer``: the signed-in person, resolved from a Bearer token or the app's session cookie."""

from __future__ import annotations

import datetime as dt

from litestar import Request

from server.auth.sessions import COOKIE_NAME, Viewer, viewer_for_token
from server.problems import NotSignedIn

#: Routes that need a signed-in person declare this in their OpenAPI entry.
SIGNED_IN = [{"bearer": []}, {"session_cookie": []}]


def token_from(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE_NAME) or None


async def current_viewer(request: Request) -> Viewer:
    token = token_from(request)
    if not token:
        raise NotSignedIn("sign in first")
    lifetime = dt.timedelta(days=request.app.state.settings.session_days)
    viewer = await viewer_for_token(token, lifetime)
    if viewer is None:
        raise NotSignedIn("your session has ended; sign in again (nothing waiting to sync is lost)")
    return viewer
