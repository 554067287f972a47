"""Queueing e-mails in the same transaction as the change that causes them.

``MailOutbox.after_event`` runs inside the push's transaction (the sync store calls it for every timeline
event). If the push rolls back, so does the e-mail; if it commits, the e-mail is in ``mail_outbox`` and the
sender will deliver it however long it takes to run. Each row has a ``dedupe_key`` derived from the event and
the recipient, so re-applying the same change can never queue it twice.
"""

from __future__ import annotations

import uuid
from uuid import UUID

from server.clock import utcnow
from server.db import tables as t
from server.notify.wording import FOOTER, describe_event, status_label
from server.replies.addresses import add_reply_address, new_address_id
from sync.records import IssueEvent

_DIGEST_NAMESPACE = uuid.UUID("a3c1f1a4-2b3e-4f0e-8a8c-7c1e0f6d5b21")


async def insert_once(row: t.MailOutbox) -> bool:
    """Insert an outbox row unless one with its ``dedupe_key`` exists. Returns whether it was inserted."""
    if await t.MailOutbox.exists().where(t.MailOutbox.dedupe_key == row.dedupe_key):
        return False
    # ON CONFLICT covers two transactions racing on PostgreSQL (SQLite has only one writer at a time): two hosts
    # building the same digest at once. The loser must learn it lost, or it would hang reply addresses and digest
    # lines on a row that does not exist; RETURNING says whether a row went in.
    inserted = await t.MailOutbox.insert(row).on_conflict(
        target=t.MailOutbox.dedupe_key, action="DO NOTHING").returning(t.MailOutbox.id)
    return bool(inserted)


def outbox_row(*, dedupe_key: str, user_id: UUID | None, to_address: str, subject: str, body: str,
               kind: str, issue_id: UUID | None = None, reply_address_id: str | None = None) -> t.MailOutbox:
    moment = utcnow()
    return t.MailOutbox(id=uuid.uuid4(), dedupe_key=dedupe_key, user_id=user_id, to_address=to_address,
                        subject=subject[:300], body=body, kind=kind, status="pending", attempts=0,
                        next_attempt_at=moment, created_at=moment, issue_id=issue_id,
                        reply_address_id=reply_address_id)


async def insert_answerable(row: t.MailOutbox, *, issue_id: UUID | None, estate_id: UUID | None) -> bool:
    """``insert_once`` for an e-mail its recipient can answer: with its reply address, in the same transaction.

    The address is recorded whether or not replies are switched on, so turning them on later needs nothing
    more; the sender only puts it in the message when they are (``server.replies.addresses``).
    """
    row.reply_address_id = row.reply_address_id or new_address_id()
    if not await insert_once(row):
        return False
    if row.user_id is not None:
        await add_reply_address(row.reply_address_id, outbox_id=row.id, user_id=row.user_id, issue_id=issue_id,
                                estate_id=estate_id)
    return True


async def mail_mode(user_id: UUID) -> str:
    row = await t.MailPreference.select(t.MailPreference.mode).where(t.MailPreference.user_id == user_id).first()
    return row["mode"] if row else "immediate"


class MailOutbox:
    """Turns timeline events into e-mails (or digest lines) for the people following the issue."""

    async def after_event(self, event: IssueEvent) -> None:
        followers = await t.IssueFollower.select(t.IssueFollower.user_id).where(
            t.IssueFollower.issue_id == event.issue_id)
        # Nobody is told about what they did themselves.
        recipients = [row["user_id"] for row in followers if row["user_id"] != event.actor_id]
        if not recipients:
            return
        people = {row["id"]: row for row in await t.AppUser.select(
            t.AppUser.id, t.AppUser.name, t.AppUser.email, t.AppUser.active).where(
            t.AppUser.id.is_in([*recipients, event.actor_id]))}
        actor = people.get(event.actor_id, {}).get("name", "Someone")
        line = describe_event(event.kind, event.data, actor)
        if line is None:
            return
        issue = await t.Issue.select(t.Issue.title, t.Issue.status, t.Issue.estate_id, t.Issue.assignee_id).where(
            t.Issue.id == event.issue_id).first()
        # A follower who can no longer see the issue (left the estate, a contractor it was taken from) hears
        # nothing more about it: an e-mail must not tell what the app would not show.
        roles = {row["user_id"]: row["role"] for row in await t.Membership.select(
            t.Membership.user_id, t.Membership.role).where(
            (t.Membership.estate_id == event.estate_id) & t.Membership.user_id.is_in(recipients))}
        recipients = [user_id for user_id in recipients if user_id in roles and (
            roles[user_id] != "contractor" or (issue is not None and issue["assignee_id"] == user_id))]
        estate = await t.Estate.select(t.Estate.name).where(t.Estate.id == event.estate_id).first()
        title = issue["title"] if issue else "an issue"
        estate_name = estate["name"] if estate else ""
        for user_id in recipients:
            person = people.get(user_id)
            if person is None or not person["active"]:
                continue
            mode = await mail_mode(user_id)
            if mode == "none":
                continue
            if mode == "daily":
                item_id = uuid.uuid5(_DIGEST_NAMESPACE, f"{event.id}:{user_id}")
                if not await t.MailDigestItem.exists().where(t.MailDigestItem.id == item_id):
                    await t.MailDigestItem.insert(t.MailDigestItem(
                        id=item_id, user_id=user_id, issue_id=event.issue_id,
                        line=f"“{title}” ({estate_name}): {line}", created_at=utcnow()))
                continue
            body = (f"Hello {person['name']},\n\nAn issue you follow on {estate_name} has changed:\n\n"
                    f"  {title}\n  Now: {status_label(issue['status']) if issue else ''}\n\n{line}{FOOTER}")
            await insert_answerable(outbox_row(
                dedupe_key=f"event:{event.id}:{user_id}", user_id=user_id, to_address=person["email"],
                subject=f"Estatewalk: {title}", body=body, kind="issue_update", issue_id=event.issue_id),
                issue_id=event.issue_id, estate_id=event.estate_id)
