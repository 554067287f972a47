"""``/api/auth``: sign in, sign out, who am I."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import JSONBody
from msgspec import Meta, Struct
from typing_extensions import Annotated

from server.auth.dependencies import SIGNED_IN
from server.auth.passwords import verify_password
from server.auth.sessions import COOKIE_NAME, Viewer, end_session, estate_names, roles_of, start_session
from server.db.tables import AppUser
from server.problems import BadCredentials, problem_responses
from sync.records import Role


class LoginRequest(Struct, forbid_unknown_fields=True):
    email: Annotated[str, Meta(max_length=320)]
    password: Annotated[str, Meta(max_length=1024)]


class UserOut(Struct):
    id: UUID
    name: str
    email: str


class MembershipOut(Struct):
    estate_id: UUID
    estate_name: str
    role: Role


class Me(Struct):
    user: UserOut
    memberships: list[MembershipOut]


class LoginResponse(Struct):
    token: str
    user: UserOut
    memberships: list[MembershipOut]


async def _memberships(user_id: UUID) -> list[MembershipOut]:
    roles = await roles_of(user_id)
    names = await estate_names(list(roles))
    return sorted(
        (MembershipOut(estate_id=e, estate_name=names.get(e, ""), role=r) for e, r in roles.items()),
        key=lambda m: m.estate_name,
    )


@post("/api/auth/login", tags=["auth"], status_code=200, responses=problem_responses(400, 401, 429))
async def login(data: JSONBody[LoginRequest], request: Request) -> Response[LoginResponse]:
    """Sign in with e-mail and password. Answers a token for API clients and sets the app's session cookie."""
    settings = request.app.state.settings
    user = await AppUser.select().where(AppUser.email == data.email.strip().lower()).first()
    valid = verify_password(user["password_hash"] if user else None, data.password)
    # Demo accounts share a published password: they only work on a server started in demo mode.
    if not valid or user is None or not user["active"] or (user["is_demo"] and not settings.demo):
        raise BadCredentials("check the e-mail address and password")
    lifetime = dt.timedelta(days=settings.session_days)
    token = await start_session(user["id"], lifetime, request.headers.get("user-agent", ""))
    body = LoginResponse(
        token=token,
        user=UserOut(id=user["id"], name=user["name"], email=user["email"]),
        memberships=await _memberships(user["id"]),
    )
    cookie = Cookie(key=COOKIE_NAME, value=token, httponly=True, samesite="strict", path="/",
                    secure=request.url.scheme == "https", max_age=int(lifetime.total_seconds()))
    return Response(body, cookies=[cookie])


@post("/api/auth/logout", tags=["auth"], status_code=200, security=SIGNED_IN, responses=problem_responses(401))
async def logout(viewer: NamedDependency[Viewer]) -> Response[dict[str, bool]]:
    """End this session at once; the cookie is cleared too."""
    await end_session(viewer.session_id)
    return Response({"signed_out": True}, cookies=[Cookie(key=COOKIE_NAME, value="", max_age=0, path="/")])


@get("/api/auth/me", tags=["auth"], security=SIGNED_IN, responses=problem_responses(401))
async def me(viewer: NamedDependency[Viewer]) -> Me:
    """Who is signed in, and their estates and roles."""
    return Me(user=UserOut(id=viewer.user_id, name=viewer.name, email=viewer.email),
              memberships=await _memberships(viewer.user_id))


ROUTES = [login, logout, me]
