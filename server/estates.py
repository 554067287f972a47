"""Estates, locations, people and memberships: the reference data every phone pulls.

Written by operators (the ``estatewalk`` command, demo data) rather than by sync mutations, but recorded in the
change log all the same, so phones learn about a new block or a new TRA rep on their next pull.
"""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from server.auth.audit import audit
from server.auth.passwords import hash_password
from server.clock import utcnow
from server.db.tables import AppUser, AuthSession, Estate, Location, Membership
from server.sync_api.unit_of_work import unit_of_work
from sync.records import ROLES, Role

LOCATION_KINDS = ("block", "floor", "stairwell", "bin_store", "car_park", "play_area", "garden", "other")


class EstateAdmin:
    """Writes reference data in one transaction, recording a change for each write."""

    def __init__(self, *, own_transaction: bool = True) -> None:
        """``own_transaction=False`` joins the caller's transaction (which must be a write transaction)."""
        self._work = unit_of_work(join=not own_transaction)

    async def __aenter__(self) -> "EstateAdmin":
        self.changes = (await self._work.__aenter__()).changes
        return self

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        return await self._work.__aexit__(*exc_info)

    async def create_estate(self, name: str, estate_id: UUID | None = None) -> UUID:
        estate_id = estate_id or uuid.uuid4()
        await Estate.insert(Estate(id=estate_id, name=name, created_at=utcnow()))
        self.changes.record("estate", estate_id, {"id": str(estate_id), "name": name}, estate_id=estate_id)
        return estate_id

    async def add_location(self, estate_id: UUID, name: str, kind: str, parent_id: UUID | None = None,
                           location_id: UUID | None = None, sort_order: int = 0) -> UUID:
        if kind not in LOCATION_KINDS:
            raise ValueError(f"'{kind}' is not a kind of location ({', '.join(LOCATION_KINDS)})")
        location_id = location_id or uuid.uuid4()
        await Location.insert(Location(id=location_id, estate_id=estate_id, parent_id=parent_id, kind=kind,
                                       name=name, sort_order=sort_order))
        self.changes.record("location", location_id, {
            "id": str(location_id), "estate_id": str(estate_id), "parent_id": str(parent_id) if parent_id else None,
            "kind": kind, "name": name, "sort_order": sort_order,
        }, estate_id=estate_id)
        return location_id

    async def create_user(self, email: str, name: str, password: str | None = None, *, is_demo: bool = False,
                          user_id: UUID | None = None, password_hash: str | None = None) -> UUID:
        user_id = user_id or uuid.uuid4()
        password_hash = password_hash or hash_password(password or "")
        await AppUser.insert(AppUser(id=user_id, email=email.strip().lower(), name=name,
                                     password_hash=password_hash, is_demo=is_demo, active=True,
                                     created_at=utcnow()))
        return user_id

    async def set_password(self, user_id: UUID, password: str, *, actor_id: UUID | None = None) -> int:
        """Give a person a new password (an operator's reset): every session of theirs ends. Answers how many."""
        await AppUser.update({AppUser.password_hash: hash_password(password)}).where(AppUser.id == user_id)
        live = await AuthSession.select(AuthSession.id).where(
            (AuthSession.user_id == user_id) & AuthSession.revoked_at.is_null())
        await AuthSession.update({AuthSession.revoked_at: utcnow()}).where(
            (AuthSession.user_id == user_id) & AuthSession.revoked_at.is_null())
        await audit("password.set", actor_id=actor_id, subject_id=user_id, sessions_ended=len(live))
        return len(live)

    async def add_member(self, user_id: UUID, estate_id: UUID, role: Role, *, actor_id: UUID | None = None) -> UUID:
        if role not in ROLES:
            raise ValueError(f"'{role}' is not a role ({', '.join(ROLES)})")
        existing = await Membership.select(Membership.id).where(
            (Membership.user_id == user_id) & (Membership.estate_id == estate_id)).first()
        user = await AppUser.select(AppUser.name).where(AppUser.id == user_id).first()
        if existing:
            membership_id = existing["id"]
            await Membership.update({Membership.role: role}).where(Membership.id == membership_id)
            await audit("membership.changed", actor_id=actor_id, subject_id=user_id, estate_id=estate_id, role=role)
        else:
            membership_id = uuid.uuid4()
            await Membership.insert(Membership(id=membership_id, user_id=user_id, estate_id=estate_id, role=role,
                                               created_at=utcnow()))
            await audit("membership.added", actor_id=actor_id, subject_id=user_id, estate_id=estate_id, role=role)
        # Residents see each other's names and roles, never e-mail addresses.
        self.changes.record("member", membership_id, {
            "id": str(membership_id), "estate_id": str(estate_id), "user_id": str(user_id),
            "name": user["name"] if user else "", "role": role,
        }, estate_id=estate_id)
        return membership_id


    async def remove_member(self, user_id: UUID, estate_id: UUID, *, actor_id: UUID | None = None) -> bool:
        """Take a person off an estate: from their next request they see nothing of it, and replies they send
        by e-mail to its issues are refused. Returns False when they were not a member."""
        existing = await Membership.select(Membership.id).where(
            (Membership.user_id == user_id) & (Membership.estate_id == estate_id)).first()
        if existing is None:
            return False
        await Membership.delete().where(Membership.id == existing["id"])
        await audit("membership.removed", actor_id=actor_id, subject_id=user_id, estate_id=estate_id)
        self.changes.record("member", existing["id"], None, estate_id=estate_id, deleted=True)
        return True


async def find_user(email: str) -> UUID | None:
    row = await AppUser.select(AppUser.id).where(AppUser.email == email.strip().lower()).first()
    return row["id"] if row else None


async def find_estate(name_or_id: str) -> UUID | None:
    try:
        row = await Estate.select(Estate.id).where(Estate.id == UUID(name_or_id)).first()
    except ValueError:
        row = await Estate.select(Estate.id).where(Estate.name == name_or_id).first()
    return row["id"] if row else None
