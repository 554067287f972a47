"""Export and erasure of a person (UK GDPR articles 15 and 17), for staff and the ``estatewalk person`` command.

Erasure anonymises rather than deletes: the issues a resident raised and the comments they wrote are the
estate's shared record (the action plan, the landlord's promises), so they stay, attributed to "Former
resident". Their e-mail address, name and password go, every session ends, and phones learn the new name on
their next pull.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import msgspec

from server.auth.audit import audit
from server.clock import utcnow
from server.db.engine import current_engine, write_transaction
from server.db.tables import (
    AppUser,
    AuditEntry,
    AuthSession,
    Inspection,
    Invite,
    Issue,
    IssueEvent,
    IssueFollower,
    MailDigestItem,
    MailInbound,
    MailOutbox,
    MailPreference,
    MailReplyAddress,
    Meeting,
    Membership,
    Photo,
    SyncMutation,
)
from server.estates import EstateAdmin

FORMER_NAME = {"tra_rep": "Former resident", "staff": "Former member of staff", "contractor": "Former contractor"}


def _plain(rows: list[dict[str, Any]], *json_fields: str) -> list[dict[str, Any]]:
    for row in rows:
        for name in json_fields:
            if isinstance(row.get(name), str):
                row[name] = msgspec.json.decode(row[name])
    return rows


#: Mutation arguments that name a row; the row's estate is the mutation's.
_NAMING_ARGS = ("estate_id", "issue_id", "id", "inspection_id", "meeting_id", "into")


async def _estate_of_row(value: Any) -> UUID | None:
    try:
        row_id = UUID(str(value))
    except ValueError:
        return None
    for table in (Issue, Inspection, Meeting, Photo, IssueEvent):
        row = await table.select(table.estate_id).where(table.id == row_id).first()
        if row is not None:
            return row["estate_id"]
    return None


async def _mutation_estate(row: dict[str, Any]) -> UUID | None:
    args = row["args"] if isinstance(row["args"], dict) else {}
    if args.get("estate_id"):
        try:
            return UUID(str(args["estate_id"]))
        except ValueError:
            return None
    for name in _NAMING_ARGS[1:]:
        if args.get(name):
            estate = await _estate_of_row(args[name])
            if estate is not None:
                return estate
    return None


async def export_person(user_id: UUID, estates: set[UUID] | None = None) -> dict[str, Any] | None:
    """Everything held about a person, as JSON-ready data; ``None`` when there is no such person.

    ``estates``: the estates the asker may see (staff exporting a resident of two estates, only one of them
    theirs, get nothing of the other: no comment, meeting, issue id or photo hash). ``None`` (the operator's
    command) is everything. What belongs to no estate (the account, sessions, sign-in history, mail choices)
    comes either way.
    """
    user = await AppUser.select(AppUser.id, AppUser.email, AppUser.name, AppUser.active, AppUser.created_at).where(
        AppUser.id == user_id).first()
    if user is None:
        return None

    def seen(row: dict[str, Any]) -> bool:
        return estates is None or row.get("estate_id") in estates

    def scoped(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [row for row in rows if seen(row)]

    mutations = []
    for row in _plain(await SyncMutation.select(
            SyncMutation.key, SyncMutation.name, SyncMutation.args, SyncMutation.at, SyncMutation.status,
            SyncMutation.reason, SyncMutation.received_at).where(SyncMutation.user_id == user_id), "args"):
        if estates is None or row["name"] == "mail.preference" or await _mutation_estate(row) in estates:
            mutations.append(row)
    sessions = await AuthSession.select(AuthSession.id, AuthSession.created_at, AuthSession.last_used_at,
                                        AuthSession.expires_at, AuthSession.revoked_at, AuthSession.user_agent).where(
        AuthSession.user_id == user_id)
    audit_entries = _plain(await AuditEntry.select().where(
        (AuditEntry.subject_id == user_id) | (AuditEntry.actor_id == user_id)), "detail")
    data = {
        "account": user,
        "memberships": scoped(await Membership.select().where(Membership.user_id == user_id)),
        "sessions": sessions,
        "issues_raised": scoped(_plain(await Issue.select().where(Issue.raised_by == user_id), "field_stamps")),
        "issues_assigned": scoped(_plain(await Issue.select(Issue.id, Issue.estate_id, Issue.title).where(
            (Issue.assignee_id == user_id) | (Issue.owner_id == user_id)))),
        "timeline_entries": scoped(_plain(await IssueEvent.select().where(IssueEvent.actor_id == user_id), "data")),
        "photos_added": scoped(await Photo.select().where(Photo.added_by == user_id)),
        "mutations": mutations,
        "invites": scoped(await Invite.select(Invite.id, Invite.email, Invite.estate_id, Invite.role,
                                              Invite.created_at, Invite.accepted_at).where(
            (Invite.email == user["email"]) | (Invite.accepted_by == user_id))),
        "replies_by_email": scoped(_plain(await MailInbound.select(*[
            column for column in MailInbound._meta.columns if column._meta.name != "original"]).where(
            MailInbound.user_id == user_id), "photos")),
        # Sign-in history belongs to no estate; what happened on an estate shows only for the asker's estates.
        "audit_entries": [row for row in audit_entries if row.get("estate_id") is None or seen(row)],
        "exported_at": utcnow(),
    }
    return msgspec.to_builtins(data)


async def erase_person(user_id: UUID, *, actor_id: UUID | None = None) -> bool:
    """Anonymise a person; ``False`` when there is no such person. Safe to run twice."""
    async with write_transaction(current_engine()):
        user = await AppUser.select(AppUser.id, AppUser.email).where(AppUser.id == user_id).first()
        if user is None:
            return False
        memberships = await Membership.select().where(Membership.user_id == user_id)
        roles = {row["role"] for row in memberships}
        name = next((FORMER_NAME[role] for role in ("tra_rep", "contractor", "staff") if role in roles),
                    "Former resident")
        # A unique, undeliverable address (RFC 2606 ``.invalid``) keeps the column's unique constraint.
        await AppUser.update({AppUser.email: f"erased-{user_id}@erased.invalid", AppUser.name: name,
                              AppUser.password_hash: "", AppUser.active: False}).where(AppUser.id == user_id)
        await AuthSession.update({AuthSession.revoked_at: utcnow()}).where(
            (AuthSession.user_id == user_id) & AuthSession.revoked_at.is_null())
        await Invite.delete().where((Invite.email == user["email"]) & Invite.accepted_at.is_null())
        # No more e-mail to them: what is queued still holds their address, and follows would queue more.
        await MailOutbox.delete().where((MailOutbox.user_id == user_id) & (MailOutbox.status != "sent"))
        await MailOutbox.update({MailOutbox.to_address: "", MailOutbox.body: ""}).where(MailOutbox.user_id == user_id)
        await MailDigestItem.delete().where(MailDigestItem.user_id == user_id)
        await IssueFollower.delete().where(IssueFollower.user_id == user_id)
        await MailPreference.delete().where(MailPreference.user_id == user_id)
        # Replies they e-mailed: the addresses stop working, and the copies of their messages go (the comments
        # they made stay, like every comment).
        await MailReplyAddress.update({MailReplyAddress.revoked_at: utcnow()}).where(
            (MailReplyAddress.user_id == user_id) & MailReplyAddress.revoked_at.is_null())
        await MailInbound.update({MailInbound.from_address: "", MailInbound.envelope_from: "", MailInbound.text: "",
                                  MailInbound.original: None, MailInbound.subject: ""}).where(
            MailInbound.user_id == user_id)
        # Signing-in history names the address they typed; the entries themselves stay, without it.
        await AuditEntry.update({AuditEntry.detail: "{}", AuditEntry.address: ""}).where(
            AuditEntry.subject_id == user_id)
        async with EstateAdmin(own_transaction=False) as admin:
            for row in memberships:
                # Re-recording the membership sends the new name to every phone of the estate.
                await admin.add_member(user_id, row["estate_id"], row["role"], actor_id=actor_id)
        await audit("person.erased", actor_id=actor_id, subject_id=user_id)
    return True


async def record_export(user_id: UUID, actor_id: UUID | None) -> None:
    await audit("person.exported", actor_id=actor_id, subject_id=user_id, at=dt.datetime.now(dt.timezone.utc).isoformat())
