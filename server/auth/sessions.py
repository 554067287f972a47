"""Server-side sessions: a random token for the device, only its SHA-256 in the database.

Revoking a session ends it at once, which stateless tokens cannot do. A session lasts ``session_days`` from its
last use, so a phone that syncs now and then stays signed in while it works offline.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from uuid import UUID

from msgspec import Struct

from server.clock import utcnow as now

from server.db.tables import AppUser, AuthSession, Estate, Membership
from sync.records import Actor, Role

COOKIE_NAME = "estatewalk_session"
#: Refreshing ``last_used_at`` on every request would make every read a write; once an hour is enough.
TOUCH_INTERVAL = dt.timedelta(hours=1)


class Viewer(Struct, frozen=True):
    """The signed-in person making a request, with their role on each of their estates."""

    user_id: UUID
    name: str
    email: str
    roles: dict[UUID, Role]
    session_id: UUID

    def actor(self) -> Actor:
        return Actor(user_id=self.user_id, roles=self.roles)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(user_id: UUID, lifetime: dt.timedelta, user_agent: str = "") -> str:
    token = secrets.token_urlsafe(32)
    moment = now()
    await AuthSession.insert(
        AuthSession(
            id=uuid.uuid4(),
            token_hash=_digest(token),
            user_id=user_id,
            created_at=moment,
            last_used_at=moment,
            expires_at=moment + lifetime,
            user_agent=user_agent[:300],
        )
    )
    return token


async def end_session(session_id: UUID) -> None:
    await AuthSession.update({AuthSession.revoked_at: now()}).where(AuthSession.id == session_id)


async def viewer_for_token(token: str, lifetime: dt.timedelta) -> Viewer | None:
    """The person a token belongs to, or ``None`` when it is unknown, revoked, expired or their account is off.

    Every request asks, so it is one statement: the session by its token's unique index, its person by id and
    their memberships by ``user_id``, all indexed. Nothing is cached: a revoked session or an account switched off
    by any server process ends at its next request.
    """
    rows = await AuthSession.raw(
        "SELECT auth_session.id AS session_id, auth_session.user_id AS user_id,"
        " auth_session.last_used_at AS last_used_at, auth_session.expires_at AS expires_at,"
        " auth_session.revoked_at AS revoked_at, app_user.name AS name, app_user.email AS email,"
        " app_user.active AS active, membership.estate_id AS estate_id, membership.role AS role"
        " FROM auth_session JOIN app_user ON app_user.id = auth_session.user_id"
        " LEFT JOIN membership ON membership.user_id = auth_session.user_id"
        " WHERE auth_session.token_hash = {}", _digest(token))
    moment = now()
    if not rows:
        return None
    row = rows[0]
    if row["revoked_at"] is not None or row["expires_at"] <= moment or not row["active"]:
        return None
    if moment - row["last_used_at"] > TOUCH_INTERVAL:
        await AuthSession.update({AuthSession.last_used_at: moment, AuthSession.expires_at: moment + lifetime}).where(
            AuthSession.id == row["session_id"])
    return Viewer(user_id=_uuid(row["user_id"]), name=row["name"], email=row["email"],
                  roles={_uuid(r["estate_id"]): r["role"] for r in rows if r["estate_id"] is not None},
                  session_id=_uuid(row["session_id"]))


def _uuid(value: object) -> UUID:
    # asyncpg answers with a UUID type of its own; the Viewer holds the standard one.
    return value if type(value) is UUID else UUID(str(value))


async def roles_of(user_id: UUID) -> dict[UUID, Role]:
    rows = await Membership.select(Membership.estate_id, Membership.role).where(Membership.user_id == user_id)
    return {row["estate_id"]: row["role"] for row in rows}


async def estate_names(estate_ids: list[UUID]) -> dict[UUID, str]:
    if not estate_ids:
        return {}
    rows = await Estate.select(Estate.id, Estate.name).where(Estate.id.is_in(estate_ids))
    return {row["id"]: row["name"] for row in rows}
