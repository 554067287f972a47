"""Daily digests: one e-mail a day for people who chose it, and a staff digest of new and overdue issues.

Both are ordinary outbox rows with a per-person, per-day ``dedupe_key``, built in one transaction with the
marking of what they include, so building them again the same day (every sender round, or two senders at
once) adds nothing.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from server.clock import utcnow
from server.db import tables as t
from server.db.engine import current_engine, write_transaction
from server.notify.outbox import insert_answerable, outbox_row
from server.i18n import words
from server.notify.wording import footer, reply_line, status_label
from server.replies.addresses import add_reply_address, new_address_id, placeholder
from sync.workflow import OPEN_STATUSES


async def build_digests(now: dt.datetime | None = None) -> int:
    """Queue today's digests that are not queued yet; returns how many were queued."""
    now = now or utcnow()
    queued = 0
    async with write_transaction(current_engine()):
        queued += await _follower_digests(now)
        queued += await _staff_digests(now)
    return queued


async def _people(user_ids: set[UUID]) -> dict[UUID, dict]:
    if not user_ids:
        return {}
    rows = await t.AppUser.select(t.AppUser.id, t.AppUser.name, t.AppUser.email, t.AppUser.active,
                                  t.AppUser.language).where(
        t.AppUser.id.is_in(list(user_ids)))
    return {row["id"]: row for row in rows if row["active"]}


async def _follower_digests(now: dt.datetime) -> int:
    items = await t.MailDigestItem.select().where(t.MailDigestItem.digest_id.is_null()).order_by(
        t.MailDigestItem.created_at)
    by_user: dict[UUID, list[dict]] = {}
    for item in items:
        by_user.setdefault(item["user_id"], []).append(item)
    people = await _people(set(by_user))
    estates = await _estates_of({item["issue_id"] for item in items})
    queued = 0
    for user_id, lines in by_user.items():
        person = people.get(user_id)
        if person is None:
            continue
        # The lines were written in the person's language when each change happened (server/notify/outbox.py).
        said = words(person.get("language"))
        by_issue: dict[UUID, list[str]] = {}
        for item in lines:
            by_issue.setdefault(item["issue_id"], []).append(f"- {item['line']}")
        answers = {issue_id: new_address_id() for issue_id in by_issue}
        row = outbox_row(
            dedupe_key=f"digest:{user_id}:{now.date().isoformat()}", user_id=user_id,
            to_address=person["email"], subject=said.t("mail.digest_subject", count=len(lines)),
            body=f"{said.t('mail.hello', name=person['name'])}\n\n{said.t('mail.digest_intro')}\n\n"
                 + "\n\n".join("\n".join([*issue_lines, reply_line(placeholder(answers[issue_id]))])
                               for issue_id, issue_lines in by_issue.items()) + footer(said),
            kind="digest")
        # Today's digest already went: these lines wait for tomorrow's.
        if await _insert_digest(row, answers, estates):
            await t.MailDigestItem.update({t.MailDigestItem.digest_id: row.id}).where(
                t.MailDigestItem.id.is_in([item["id"] for item in lines]))
            queued += 1
    return queued


async def _estates_of(issue_ids: set[UUID]) -> dict[UUID, UUID]:
    if not issue_ids:
        return {}
    rows = await t.Issue.select(t.Issue.id, t.Issue.estate_id).where(t.Issue.id.is_in(list(issue_ids)))
    return {row["id"]: row["estate_id"] for row in rows}


async def _insert_digest(row: t.MailOutbox, answers: dict[UUID, str], estates: dict[UUID, UUID]) -> bool:
    """Queue a digest with its reply addresses: one under each issue, and the digest's own in ``Reply-To``,
    which names the issue when there is only one (else the reply is asked to go under an issue)."""
    only = next(iter(answers)) if len(answers) == 1 else None
    if not await insert_answerable(row, issue_id=only, estate_id=estates.get(only) if only else None):
        return False
    for issue_id, address_id in answers.items():
        await add_reply_address(address_id, outbox_id=row.id, user_id=row.user_id, issue_id=issue_id,
                                estate_id=estates.get(issue_id))
    return True


async def _staff_digests(now: dt.datetime) -> int:
    today = now.date()
    staff = await t.Membership.select(t.Membership.user_id, t.Membership.estate_id).where(
        t.Membership.role == "staff")
    estates_of: dict[UUID, list[UUID]] = {}
    for row in staff:
        estates_of.setdefault(row["user_id"], []).append(row["estate_id"])
    if not estates_of:
        return 0
    people = await _people(set(estates_of))
    names = {row["id"]: row["name"] for row in await t.Estate.select(t.Estate.id, t.Estate.name)}
    queued = 0
    for user_id, estate_ids in estates_of.items():
        person = people.get(user_id)
        key = f"staff-digest:{user_id}:{today.isoformat()}"
        if person is None or await t.MailOutbox.exists().where(t.MailOutbox.dedupe_key == key):
            continue
        issues = await t.Issue.select(t.Issue.id, t.Issue.title, t.Issue.estate_id, t.Issue.status,
                                      t.Issue.due_date, t.Issue.created_at).where(
            t.Issue.estate_id.is_in(estate_ids) & (t.Issue.withdrawn == False)  # noqa: E712
            & t.Issue.merged_into.is_null()).order_by(t.Issue.created_at)
        new = [i for i in issues if i["created_at"] >= now - dt.timedelta(days=1)]
        overdue = [i for i in issues if i["status"] in OPEN_STATUSES and i["due_date"] is not None
                   and i["due_date"] < today]
        if not new and not overdue:
            continue
        answers = {i["id"]: new_address_id() for i in [*new, *overdue]}
        said = words(person.get("language"))
        lines = [said.t("mail.hello", name=person["name"]), "", said.t("mail.staff_new", count=len(new))]
        for i in new:
            lines += [f"- {i['title']} ({names.get(i['estate_id'], '')})", reply_line(placeholder(answers[i["id"]]))]
        lines += [] if new else [f"- {said.t('mail.none')}"]
        lines += ["", said.t("mail.staff_overdue", count=len(overdue))]
        for i in overdue:
            lines += [f"- {i['title']} ({names.get(i['estate_id'], '')}), "
                      f"{said.t('mail.due', date=i['due_date'].isoformat())}, {status_label(i['status'], said)}",
                      reply_line(placeholder(answers[i["id"]]))]
        lines += [] if overdue else [f"- {said.t('mail.none')}"]
        if await _insert_digest(outbox_row(
                dedupe_key=key, user_id=user_id, to_address=person["email"],
                subject=said.t("mail.staff_subject", new=len(new), overdue=len(overdue)),
                body="\n".join(lines) + footer(said), kind="staff_digest"),
                answers, {i["id"]: i["estate_id"] for i in issues}):
            queued += 1
    return queued
