"""``/api/auth``: sign in, sign out, who am I."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from litestar import Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from msgspec import Meta, Struct
from typing_extensions import Annotated

from server.auth.dependencies import SIGNED_IN
from server.auth import rate_limit
from server.auth.audit import audit
from server.auth.password_policy import PasswordRefused, check_password
from server.auth.passwords import hash_password, needs_rehash, verify_password
from server.auth.sessions import COOKIE_NAME, Viewer, end_session, estate_names, roles_of, start_session
from server.clock import utcnow
from server.db.engine import current_engine, write_transaction
from server.db.tables import AppUser, AuthSession
from server.notify.outbox import insert_once, outbox_row
from server.problems import BadCredentials, NotFound, TooManyAttempts, Unacceptable, problem_responses
from sync.records import Role


class LoginRequest(Struct, forbid_unknown_fields=True):
    email: Annotated[str, Meta(max_length=320)]
    password: Annotated[str, Meta(max_length=1024)]


class UserOut(Struct):
    id: UUID
    name: str
    email: str
    language: str = ""
    """The language chosen with ``person.language`` (``tr``, ``ckb``…); empty when never chosen."""


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
    email = data.email.strip().lower()
    address = client_address(request)
    # Counted atomically before the password is checked (server/auth/rate_limit.py), so parallel guesses
    # cannot all slip under the limit; beyond it, guesses learn nothing.
    wait = await rate_limit.sign_in_attempt(email, address)
    if wait:
        await audit("sign_in.limited", address=address, email=email)
        raise TooManyAttempts(f"too many failed sign-ins; try again in {wait // 60 + 1} minutes",
                              headers={"Retry-After": str(wait)})
    user = await AppUser.select().where(AppUser.email == email).first()
    valid = verify_password(user["password_hash"] if user else None, data.password)
    # Demo accounts share a published password: they only work on a server started in demo mode.
    if not valid or user is None or not user["active"] or (user["is_demo"] and not settings.demo):
        await audit("sign_in.failed", subject_id=user["id"] if user else None, address=address, email=email)
        raise BadCredentials("check the e-mail address and password")
    await rate_limit.signed_in(email, address)
    if needs_rehash(user["password_hash"]):
        # The hashing parameters were raised since this hash was made: the password is at hand, upgrade it.
        await AppUser.update({AppUser.password_hash: hash_password(data.password)}).where(AppUser.id == user["id"])
    lifetime = dt.timedelta(days=settings.session_days)
    token = await start_session(user["id"], lifetime, request.headers.get("user-agent", ""))
    await audit("sign_in.ok", actor_id=user["id"], subject_id=user["id"], address=address)
    body = LoginResponse(
        token=token,
        user=UserOut(id=user["id"], name=user["name"], email=user["email"], language=user["language"]),
        memberships=await _memberships(user["id"]),
    )
    cookie = Cookie(key=COOKIE_NAME, value=token, httponly=True, samesite="strict", path="/",
                    secure=request.url.scheme == "https", max_age=int(lifetime.total_seconds()))
    return Response(body, cookies=[cookie])


@post("/api/auth/logout", tags=["auth"], status_code=200, security=SIGNED_IN, responses=problem_responses(401))
async def logout(viewer: NamedDependency[Viewer], request: Request) -> Response[dict[str, bool]]:
    """End this session at once; the cookie is cleared too."""
    await end_session(viewer.session_id)
    await audit("sign_out", actor_id=viewer.user_id, subject_id=viewer.user_id, address=client_address(request),
                session_id=str(viewer.session_id))
    return Response({"signed_out": True}, cookies=[Cookie(key=COOKIE_NAME, value="", max_age=0, path="/")])


@get("/api/auth/me", tags=["auth"], security=SIGNED_IN, responses=problem_responses(401))
async def me(viewer: NamedDependency[Viewer]) -> Me:
    """Who is signed in, and their estates and roles."""
    language = await AppUser.select(AppUser.language).where(AppUser.id == viewer.user_id).first()
    return Me(user=UserOut(id=viewer.user_id, name=viewer.name, email=viewer.email,
                           language=language["language"] if language else ""),
              memberships=await _memberships(viewer.user_id))


class SessionOut(Struct):
    """A signed-in device, as its owner sees it in the list of their devices."""

    id: UUID
    created_at: dt.datetime
    last_used_at: dt.datetime
    expires_at: dt.datetime
    user_agent: str
    current: bool


@get("/api/auth/sessions", tags=["auth"], security=SIGNED_IN, responses=problem_responses(401))
async def list_sessions(viewer: NamedDependency[Viewer]) -> list[SessionOut]:
    """This person's live sessions (their signed-in devices), most recently used first."""
    rows = await (AuthSession.select().where((AuthSession.user_id == viewer.user_id)
                                             & AuthSession.revoked_at.is_null()
                                             & (AuthSession.expires_at > dt.datetime.now(dt.timezone.utc)))
                  .order_by(AuthSession.last_used_at, ascending=False))
    return [SessionOut(id=row["id"], created_at=row["created_at"], last_used_at=row["last_used_at"],
                       expires_at=row["expires_at"], user_agent=row["user_agent"],
                       current=row["id"] == viewer.session_id) for row in rows]


@delete("/api/auth/sessions/{session_id:uuid}", tags=["auth"], status_code=204, security=SIGNED_IN,
        responses=problem_responses(401, 404))
async def revoke_session(session_id: FromPath[UUID], viewer: NamedDependency[Viewer], request: Request) -> None:
    """Sign out one of this person's devices (a lost phone): its token is refused from the next request on."""
    row = await AuthSession.select(AuthSession.id).where(
        (AuthSession.id == session_id) & (AuthSession.user_id == viewer.user_id)
        & AuthSession.revoked_at.is_null()).first()
    if row is None:
        raise NotFound("no such session of yours")  # someone else's session looks the same as none
    await end_session(session_id)
    await audit("session.revoked", actor_id=viewer.user_id, subject_id=viewer.user_id,
                address=client_address(request), session_id=str(session_id))


class PasswordChange(Struct, forbid_unknown_fields=True):
    current_password: Annotated[str, Meta(max_length=1024)]
    new_password: Annotated[str, Meta(max_length=1024)]


class PasswordChanged(Struct):
    changed: bool
    other_sessions_ended: int


@post("/api/auth/password", tags=["auth"], status_code=200, security=SIGNED_IN,
      responses=problem_responses(400, 401, 422, 429))
async def change_password(data: JSONBody[PasswordChange], viewer: NamedDependency[Viewer],
                          request: Request) -> PasswordChanged:
    """Change one's own password: the current one is required (under the sign-in limits), every other session of
    this person ends at once, and they are told by e-mail."""
    address = client_address(request)
    wait = await rate_limit.sign_in_attempt(viewer.email, address)
    if wait:
        raise TooManyAttempts(f"too many wrong passwords; try again in {wait // 60 + 1} minutes",
                              headers={"Retry-After": str(wait)})
    user = await AppUser.select().where(AppUser.id == viewer.user_id).first()
    if user is None or not verify_password(user["password_hash"], data.current_password):
        await audit("password.change_failed", actor_id=viewer.user_id, subject_id=viewer.user_id, address=address)
        raise BadCredentials("the current password is not right")
    await rate_limit.signed_in(viewer.email, address)
    try:
        check_password(data.new_password, user["email"])
    except PasswordRefused as refusal:
        raise Unacceptable(str(refusal)) from None
    moment = utcnow()
    async with write_transaction(current_engine()):
        await AppUser.update({AppUser.password_hash: hash_password(data.new_password)}).where(
            AppUser.id == viewer.user_id)
        others = await AuthSession.select(AuthSession.id).where(
            (AuthSession.user_id == viewer.user_id) & AuthSession.revoked_at.is_null()
            & (AuthSession.id != viewer.session_id))
        await AuthSession.update({AuthSession.revoked_at: moment}).where(
            (AuthSession.user_id == viewer.user_id) & AuthSession.revoked_at.is_null()
            & (AuthSession.id != viewer.session_id))
        await audit("password.changed", actor_id=viewer.user_id, subject_id=viewer.user_id, address=address,
                    other_sessions_ended=len(others))
        await insert_once(outbox_row(
            dedupe_key=f"password-changed:{viewer.user_id}:{moment.isoformat()}", user_id=viewer.user_id,
            to_address=user["email"], subject="Estatewalk: your password was changed", kind="account",
            body=password_changed_mail(user["name"], moment, len(others))))
    return PasswordChanged(changed=True, other_sessions_ended=len(others))


def password_changed_mail(name: str, moment: dt.datetime, others: int) -> str:
    signed_out = (f"Your {others} other signed-in device{'s were' if others != 1 else ' was'} signed out; sign in "
                  "there again with the new password.\n\n" if others else "")
    return (f"Hello {name},\n\nThe password of your Estatewalk account was changed on "
            f"{moment.strftime('%-d %b %Y at %H:%M')} UTC.\n\n{signed_out}"
            "If this was not you, tell your estate's staff at once: someone knows your password.\n"
            "\n--\nAn automatic message from Estatewalk about your account.")


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


ROUTES = [login, logout, me, list_sessions, revoke_session, change_password]
