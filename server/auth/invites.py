"""Invitations: staff invite someone to an estate with a role; the invitee sets their own name and password.

The link holds a random token; only its SHA-256 is stored (as for sessions). It works once and expires.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from uuid import UUID

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from msgspec import Meta, Struct
from typing_extensions import Annotated

from server.auth.audit import audit
from server.auth.dependencies import SIGNED_IN
from server.auth.password_policy import PasswordRefused, check_password
from server.auth.passwords import verify_password
from server.auth.routes import client_address
from server.auth.sessions import Viewer
from server.clock import utcnow
from server.db.engine import current_engine, write_transaction
from server.db.tables import AppUser, Invite
from server.estates import EstateAdmin
from server.problems import BadCredentials, Forbidden, InviteGone, NotFound, Unacceptable, problem_responses
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
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    password: Annotated[str, Meta(max_length=1024)]


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


@post("/api/invites/{token:str}/accept", tags=["auth"], status_code=200,
      responses=problem_responses(400, 401, 404, 410, 422, 429))
async def accept_invite(token: FromPath[str], data: JSONBody[AcceptRequest], request: Request) -> Accepted:
    """Join the estate: a new account with this name and password, or (for an existing account) its password."""
    async with write_transaction(current_engine()):
        invite = await Invite.select().where(Invite.token_hash == _digest(token)).first()
        if invite is None:
            raise NotFound("no such invitation")
        if invite["accepted_at"] is not None or invite["expires_at"] <= utcnow():
            raise InviteGone("ask the person who invited you for a new link")
        existing = await AppUser.select().where(AppUser.email == invite["email"]).first()
        async with EstateAdmin(own_transaction=False) as admin:
            if existing is None:
                try:
                    check_password(data.password, invite["email"])
                except PasswordRefused as refusal:
                    raise Unacceptable(str(refusal)) from None
                user_id = await admin.create_user(invite["email"], data.name.strip(), data.password)
            else:
                # Someone who already has an account proves it is theirs before joining another estate.
                if not existing["active"] or not verify_password(existing["password_hash"], data.password):
                    raise BadCredentials("this e-mail already has an account: use its password")
                user_id = existing["id"]
            await admin.add_member(user_id, invite["estate_id"], invite["role"], actor_id=invite["created_by"])
        # Marked used in the same transaction, and only if still unused: two racing accepts cannot both win.
        await Invite.update({Invite.accepted_at: utcnow(), Invite.accepted_by: user_id}).where(
            (Invite.id == invite["id"]) & Invite.accepted_at.is_null())
        await audit("invite.accepted", actor_id=user_id, subject_id=user_id, estate_id=invite["estate_id"],
                    address=client_address(request), invite_id=str(invite["id"]))
    return Accepted(user_id=user_id, email=invite["email"], estate_id=invite["estate_id"], role=invite["role"])


ROUTES = [create_invite, accept_invite]
