"""Invitations: staff invite someone to an estate with a role; the invitee sets their own name and password.

The link holds a random token; only its SHA-256 is stored (as for sessions). It works once and expires.

An invitation to an address that already has an account never asks for that account's password: a password
form any staff member could point at any address (by inviting it) would be a password oracle. That person signs
in the ordinary way, under the ordinary limits, and accepts while signed in; the membership is added then.
Accepting is rate-limited per link and per address like signing in (``server/auth/rate_limit.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from msgspec import Meta, Struct
from typing_extensions import Annotated

from server.auth.audit import audit
from server.auth.dependencies import SIGNED_IN
from server.auth.password_policy import PasswordRefused, check_password
from server.auth import rate_limit
from server.auth.dependencies import current_viewer
from server.auth.routes import client_address
from server.auth.sessions import Viewer
from server.clock import utcnow
from server.db.engine import current_engine, write_transaction
from server.db.tables import AppUser, Estate, Invite
from server.estates import EstateAdmin
from server.problems import (
    CrossSiteRequest,
    Forbidden,
    InviteGone,
    NotFound,
    NotSignedIn,
    SignInToAccept,
    TooManyAttempts,
    Unacceptable,
    problem_responses,
)
from sync.records import Role

Email = Annotated[str, Meta(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]


class InviteRequest(Struct, forbid_unknown_fields=True):
    email: Email
    role: Role = "tra_rep"
    days: Annotated[int, Meta(ge=1, le=30)] = 7


class InviteOut(Struct):
    id: UUID
    token: str
    link: str
    email: str
    estate_id: UUID
    role: Role
    expires_at: dt.datetime


class AcceptRequest(Struct, forbid_unknown_fields=True):
    """A new account's name and password; nothing (``{}``) when accepting signed in to an existing account."""

    name: Annotated[str, Meta(max_length=200)] = ""
    password: Annotated[str, Meta(max_length=1024)] = ""


class InviteInfo(Struct):
    """What the invitation screen shows before accepting."""

    email: str
    estate_name: str
    role: Role
    expires_at: dt.datetime
    existing_account: bool
    """The address has an account already: its owner signs in, then accepts (no password is asked here)."""


class Accepted(Struct):
    user_id: UUID
    email: str
    estate_id: UUID
    role: Role


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@post("/api/estates/{estate_id:uuid}/invites", tags=["auth"], status_code=201, security=SIGNED_IN,
      responses=problem_responses(400, 401, 403, 404))
async def create_invite(estate_id: FromPath[UUID], data: JSONBody[InviteRequest], viewer: NamedDependency[Viewer],
                        request: Request) -> InviteOut:
    """Invite someone to this estate with a role (staff of the estate only). Answers the link to send them."""
    role = viewer.roles.get(estate_id)
    if role is None:
        raise NotFound("no such estate")
    if role != "staff":
        raise Forbidden("only staff can invite people")
    token = secrets.token_urlsafe(32)
    moment = utcnow()
    invite = Invite(id=uuid.uuid4(), token_hash=_digest(token), email=data.email.strip().lower(),
                    estate_id=estate_id, role=data.role, created_by=viewer.user_id, created_at=moment,
                    expires_at=moment + dt.timedelta(days=data.days))
    async with write_transaction(current_engine()):
        await Invite.insert(invite)
        await audit("invite.created", actor_id=viewer.user_id, estate_id=estate_id, address=client_address(request),
                    invite_id=str(invite.id), email=invite.email, role=data.role)
    # The phone app's screen for accepting reads the token from the fragment, which never reaches server logs.
    return InviteOut(id=invite.id, token=token, link=f"/#/invite/{token}", email=invite.email, estate_id=estate_id,
                     role=data.role, expires_at=invite.expires_at)


async def _limited(token: str, request: Request) -> None:
    wait = await rate_limit.invite_attempt(_digest(token), client_address(request))
    if wait:
        raise TooManyAttempts(f"too many attempts with invitation links; try again in {wait // 60 + 1} minutes",
                              headers={"Retry-After": str(wait)})


async def _optional_viewer(request: Request) -> Viewer | None:
    """The signed-in person, if any. A cookie on a cross-site request counts as not signed in: another site
    cannot make someone join an estate, and a new account's acceptance needs no session at all."""
    try:
        return await current_viewer(request)
    except (NotSignedIn, CrossSiteRequest):
        return None


@get("/api/invites/{token:str}", tags=["auth"], responses=problem_responses(400, 404, 410, 429))
async def show_invite(token: FromPath[str], request: Request) -> InviteInfo:
    """What an invitation is for, and whether its address already has an account (then: sign in to accept)."""
    await _limited(token, request)
    invite = await Invite.select().where(Invite.token_hash == _digest(token)).first()
    if invite is None:
        raise NotFound("no such invitation")
    if invite["accepted_at"] is not None or invite["expires_at"] <= utcnow():
        raise InviteGone("ask the person who invited you for a new link")
    existing = await AppUser.exists().where(AppUser.email == invite["email"])
    estate = await Estate.select(Estate.name).where(Estate.id == invite["estate_id"]).first()
    return InviteInfo(email=invite["email"], estate_name=estate["name"] if estate else "", role=invite["role"],
                      expires_at=invite["expires_at"], existing_account=existing)


@post("/api/invites/{token:str}/accept", tags=["auth"], status_code=200,
      responses=problem_responses(400, 401, 403, 404, 410, 422, 429))
async def accept_invite(token: FromPath[str], data: JSONBody[AcceptRequest], request: Request) -> Accepted:
    """Join the estate: a new account with this name and password, or, for an address that has an account
    already, signed in as that person (``401.3`` when not signed in; no password is asked)."""
    await _limited(token, request)
    viewer = await _optional_viewer(request)
    async with write_transaction(current_engine()):
        invite = await Invite.select().where(Invite.token_hash == _digest(token)).first()
        if invite is None:
            raise NotFound("no such invitation")
        if invite["accepted_at"] is not None or invite["expires_at"] <= utcnow():
            raise InviteGone("ask the person who invited you for a new link")
        existing = await AppUser.select().where(AppUser.email == invite["email"]).first()
        async with EstateAdmin(own_transaction=False) as admin:
            if existing is None:
                if not data.name.strip():
                    raise Unacceptable("give your name")
                try:
                    check_password(data.password, invite["email"])
                except PasswordRefused as refusal:
                    raise Unacceptable(str(refusal)) from None
                user_id = await admin.create_user(invite["email"], data.name.strip(), data.password)
            else:
                if viewer is None:
                    raise SignInToAccept("this e-mail address already has an account: sign in, then accept")
                if viewer.user_id != existing["id"]:
                    raise Forbidden(f"this invitation is for {invite['email']}: sign in as that person to accept")
                user_id = existing["id"]
            await admin.add_member(user_id, invite["estate_id"], invite["role"], actor_id=invite["created_by"])
        # Marked used in the same transaction, and only if still unused: two racing accepts cannot both win.
        await Invite.update({Invite.accepted_at: utcnow(), Invite.accepted_by: user_id}).where(
            (Invite.id == invite["id"]) & Invite.accepted_at.is_null())
        await audit("invite.accepted", actor_id=user_id, subject_id=user_id, estate_id=invite["estate_id"],
                    address=client_address(request), invite_id=str(invite["id"]))
    await rate_limit.invite_accepted(_digest(token), client_address(request))
    return Accepted(user_id=user_id, email=invite["email"], estate_id=invite["estate_id"], role=invite["role"])


ROUTES = [create_invite, show_invite, accept_invite]
