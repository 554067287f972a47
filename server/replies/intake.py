"""The one path every received e-mail takes: into an issue's timeline, or into the quarantine with a reason.

Both receivers (``receiver``: SMTP/LMTP, ``poller``: IMAP) hand the message's bytes to ``take_in`` and act on
what it answers. Nothing is lost: each message ends as a comment, a quarantined entry staff can read, or a
refusal its sender hears about.

A reply becomes a comment (and its photos become photos of the issue) through the sync engine, exactly like a
push from a phone: ``apply_push`` with the person the reply address names as the actor, in one transaction with
the change recorder, so permissions, merges, the change log that phones pull, and e-mail to the issue's
followers all apply (the writer is not e-mailed their own words: nobody is told of their own change). Each
person has one "mail client" (``mail_client_id``) whose numbered mutations are kept like a phone's.

The same message must make one comment however often it arrives (a mail server retrying, two pollers at once):
``mail_inbound.dedupe_key`` is unique, and it is claimed in the comment's own transaction, after the push lock
that serialises writers on PostgreSQL (SQLite has one writer anyway).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal
from uuid import UUID

from server.auth.sessions import roles_of
from server.clock import unix_millis, utcnow
from server.db import tables as t
from server.db.engine import current_engine, write_transaction
from server.i18n import words_for
from server.notify.outbox import insert_once, outbox_row
from server.notify.wording import photo_too_large_bounce, reply_notice, too_large_bounce
from server.photos.service import store_photo
from server.problems import NotAnAcceptedImage, PhotoHashMismatch
from server.replies.addresses import ReplyKeys, read_token, tokens_in
from server.replies.html_text import html_to_text
from server.replies.reading import Image, IncomingMail, read_headers, read_mail
from server.replies.reply_text import new_text
from server.settings import Settings
from server.sync_api.push_locks import lock_everything
from server.sync_api.unit_of_work import unit_of_work
from sync import mutations as m
from sync.engine import apply_push
from sync.hlc import format_stamp
from sync.permissions import may
from sync.records import Actor

log = logging.getLogger("estatewalk.replies")

_NAMESPACE = uuid.UUID("6a0f9d1e-3c2b-4e8a-9f71-5d4c3b2a1908")
#: Inline images smaller than this are taken for a signature's logo or a tracking pixel, not a photo.
INLINE_PHOTO_MIN_BYTES = 16 * 1024
#: The longest comment the sync engine accepts (``sync.mutations.Text``).
MAX_COMMENT = 20_000
#: What staff can read of a message in the quarantine.
MAX_TEXT = 100_000

Result = Literal["comment", "quarantined", "refused", "duplicate"]


class RepliesNotConfigured(RuntimeError):
    """Replies need ``ESTATEWALK_REPLY_DOMAIN`` and ``ESTATEWALK_REPLY_SECRET``."""


@dataclass(frozen=True)
class Delivery:
    raw: bytes
    via: Literal["smtp", "lmtp", "imap"]
    envelope_from: str | None = None
    """``MAIL FROM`` when a mail server handed the message over (``""`` for a bounce)."""
    envelope_to: tuple[str, ...] = ()
    """``RCPT TO`` addresses, when known; otherwise the message's own headers say where it went."""
    size: int | None = None
    """The message's whole size when ``raw`` holds only its headers (a mailbox's message too large to fetch)."""


@dataclass
class Outcome:
    """What became of a message for one reply address it was sent to."""

    result: Result
    reason: str = ""
    bounce: str | None = None
    """For a refusal: the words the sender's mail server returns to them."""
    inbound_id: UUID | None = None
    comment_id: UUID | None = None


def mail_client_id(user_id: UUID) -> UUID:
    """The "device" a person's e-mailed replies are pushed from: one per person, numbered like a phone's."""
    return uuid.uuid5(_NAMESPACE, f"mail-client:{user_id}")


def dedupe_key(message_id: str, token: str | None) -> str:
    return hashlib.sha256(f"{message_id}\n{token or ''}".encode()).hexdigest()


async def take_in(delivery: Delivery, settings: Settings) -> list[Outcome]:
    """Turn one received message into comments or quarantine entries, once per reply address it names."""
    keys = ReplyKeys.from_settings(settings)
    if keys is None:
        raise RepliesNotConfigured("set ESTATEWALK_REPLY_DOMAIN and ESTATEWALK_REPLY_SECRET")
    too_large = (delivery.size or len(delivery.raw)) > settings.max_reply_bytes
    try:
        if not delivery.raw:
            # Refused before a byte of it was read (``receiver``): only its envelope is known.
            mail = IncomingMail(message_id=f"unread:{uuid.uuid4()}", from_address=delivery.envelope_from or "",
                                from_name="", subject="", recipients=[], machine_made=None, plain=None, html=None)
        else:
            mail = read_headers(delivery.raw) if too_large else read_mail(delivery.raw, delivery.envelope_from)
    except Exception as error:  # noqa: BLE001 - whatever the bytes, the message is kept and staff told
        log.warning("an unreadable message came in: %r", error)
        mail = IncomingMail(message_id="sha256:" + hashlib.sha256(delivery.raw).hexdigest(), from_address="",
                            from_name="", subject="", recipients=[], machine_made=None, plain=None, html=None)
        intake = _Intake(delivery, settings, keys, mail, None)
        return [await intake.quarantine("unreadable", detail=str(error)[:500])]
    tokens = tokens_in(delivery.envelope_to, keys.domain) or tokens_in(mail.recipients, keys.domain)
    outcomes = []
    for token in tokens or [None]:
        intake = _Intake(delivery, settings, keys, mail, token)
        outcomes.append(await intake.run(too_large))
    return outcomes


@dataclass
class _Person:
    user_id: UUID
    name: str
    email: str


@dataclass
class _Intake:
    """One message for one reply address: the checks in order, each ending in a comment or a quarantine entry."""

    delivery: Delivery
    settings: Settings
    keys: ReplyKeys
    mail: IncomingMail
    token: str | None
    address: dict[str, Any] | None = None
    person: _Person | None = None
    flagged: bool = False
    photo_notes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def key(self) -> str:
        return dedupe_key(self.mail.message_id, self.token)

    async def run(self, too_large: bool) -> Outcome:
        if await _seen(self.key):
            return Outcome("duplicate")
        reading = read_token(self.token, self.keys) if self.token else None
        if reading is not None and reading.address_id is not None:
            self.address = await t.MailReplyAddress.select().where(
                t.MailReplyAddress.id == reading.address_id).first()
            # Only a genuine address (signed by us, if perhaps out of date) names someone we may write to.
            if self.address is not None and reading.problem in (None, "expired_token"):
                self.person = await _person(self.address["user_id"])
        if too_large:
            return await self.refuse("too_large", too_large_bounce(self.settings.max_reply_bytes))
        # A machine's message is never answered, whatever address it came to: that is how mail loops start.
        if self.mail.machine_made:
            return await self.quarantine(self.mail.machine_made, tell=False)
        if reading is None:
            return await self.quarantine("no_reply_address", tell=False)
        if reading.problem in ("unknown_token", "tampered_token") or self.address is None:
            return await self.quarantine(reading.problem or "unknown_token", tell=False)
        if reading.problem == "expired_token":
            return await self.quarantine("expired_token")
        if self.address["revoked_at"] is not None or self.person is None:
            return await self.quarantine("revoked_token", tell=False)
        # Forwarding is common (a rep's partner, a shared inbox): the reply is taken, and staff asked to look.
        self.flagged = self.mail.from_address != self.person.email
        limit = self.settings.max_reply_photo_bytes
        if any(len(image.data) > limit for image in self.mail.images):
            return await self.refuse("photo_too_large", photo_too_large_bounce(limit))
        return await self.comment()

    async def comment(self) -> Outcome:
        assert self.address is not None and self.person is not None
        words = new_text(self.mail.plain if (self.mail.plain or "").strip()
                         else html_to_text(self.mail.html or "", stop_at_quote=True))[:MAX_COMMENT]
        photos = [image for image in self.mail.images
                  if image.attached or len(image.data) >= INLINE_PHOTO_MIN_BYTES]
        if not words and not photos:
            return await self.quarantine("empty")
        issue_id = self.address["issue_id"] or await _only_issue_of_digest(self.address["outbox_id"])
        if issue_id is None:
            return await self.quarantine("digest_reply", issues=await _issues_in_digest(self.address["outbox_id"]))
        # Checked here as well as by the sync engine, so that nothing of someone without access is stored.
        if not await _may_comment(self.person.user_id, issue_id):
            return await self.quarantine("no_access")
        stored = [sha for sha in [await self._store(image) for image in photos] if sha is not None]
        return await self._push(issue_id, words, stored)

    async def _store(self, image: Image) -> str | None:
        sha = hashlib.sha256(image.data).hexdigest()
        try:
            # The sender holds these bytes (they sent them): possession is recorded, so the attach below passes.
            await store_photo(self.settings, sha, image.data, self.person.user_id)
        except (NotAnAcceptedImage, PhotoHashMismatch) as refusal:
            self.photo_notes.append({"filename": image.filename, "sha256": sha, "status": "refused",
                                     "reason": refusal.detail})
            return None
        self.photo_notes.append({"filename": image.filename, "sha256": sha, "status": "attached"})
        return sha

    async def _push(self, issue_id: UUID, words: str, photos: list[str]) -> Outcome:
        assert self.person is not None
        user_id, now = self.person.user_id, utcnow()
        client_id = mail_client_id(user_id)
        comment_id = uuid.uuid5(_NAMESPACE, f"{self.key}:comment")
        async with unit_of_work() as store:
            await lock_everything()
            # The claim: whoever gets here second (another delivery of the same message) finds it taken.
            if await _seen(self.key):
                return Outcome("duplicate")
            state = await store.client_state(client_id)
            number = (state.last_mutation_id if state else 0) + 1
            stamp = [format_stamp(unix_millis(now), n, str(client_id)) for n in range(1 + len(photos))]
            mutations: list[m.AnyMutation] = []
            if words:
                mutations.append(m.IssueComment(id=number, at=stamp[0], args=m.IssueCommentArgs(
                    id=comment_id, issue_id=issue_id, body=words)))
            for offset, sha in enumerate(photos, start=1):
                stored = await t.StoredPhoto.select().where(t.StoredPhoto.sha256 == sha).first()
                mutations.append(m.PhotoAttach(id=number + len(mutations), at=stamp[offset], args=m.PhotoAttachArgs(
                    id=uuid.uuid5(_NAMESPACE, f"{self.key}:photo:{sha}"), issue_id=issue_id, sha256=sha,
                    content_type=stored["content_type"] if stored else "image/jpeg",
                    byte_size=stored["byte_size"] if stored else 0, width=stored["width"] if stored else 0,
                    height=stored["height"] if stored else 0, captured_at=None, caption=None)))
            actor = Actor(user_id=user_id, roles=await roles_of(user_id))
            pushed = await apply_push(store, actor, client_id, mutations, now, via="email")
            refused = [result for result in pushed.results if result.status == "rejected"]
            if refused and len(refused) == len(pushed.results):
                outcome = await self._record("quarantined", "no_access", issue_id=issue_id,
                                             detail=refused[0].reason or "", tell=True)
            else:
                for note, result in zip([n for n in self.photo_notes if n["status"] == "attached"],
                                        pushed.results[1 if words else 0:]):
                    if result.status == "rejected":
                        note.update(status="refused", reason=result.reason)
                outcome = await self._record("comment", "sender_mismatch" if self.flagged else "",
                                             issue_id=issue_id, words=words,
                                             comment_id=comment_id if words else None)
        return outcome

    async def quarantine(self, reason: str, *, tell: bool = True, detail: str = "", issues: int = 0) -> Outcome:
        async with write_transaction(current_engine()):
            return await self._record("quarantined", reason, tell=tell, detail=detail, issues=issues)

    async def refuse(self, reason: str, bounce: str) -> Outcome:
        """Refused for its size. A mail server handing it over hears ``bounce`` and tells the sender; a message
        fetched from a mailbox is answered by e-mail instead, to the person the address names."""
        async with write_transaction(current_engine()):
            outcome = await self._record("refused", reason, tell=self.delivery.via == "imap", detail=bounce)
        outcome.bounce = bounce
        return outcome

    async def _record(self, result: Literal["comment", "quarantined", "refused"], reason: str, *,
                      issue_id: UUID | None = None, detail: str = "", tell: bool = False, words: str = "",
                      comment_id: UUID | None = None, issues: int = 0) -> Outcome:
        """Write the message's entry (inside the caller's write transaction); a duplicate writes nothing."""
        mail, address = self.mail, self.address or {}
        text = (mail.plain if (mail.plain or "").strip() else html_to_text(mail.html or "")) or mail.headers
        row = t.MailInbound(
            id=uuid.uuid4(), dedupe_key=self.key, message_id=mail.message_id[:500], via=self.delivery.via,
            received_at=utcnow(), envelope_from=(self.delivery.envelope_from or "")[:320],
            from_address=mail.from_address[:320], subject=mail.subject[:300],
            reply_address_id=address.get("id"), user_id=address.get("user_id"),
            issue_id=issue_id or address.get("issue_id"), estate_id=address.get("estate_id"), outcome=result,
            reason=reason, flagged=self.flagged, detail=detail, text=text[:MAX_TEXT], new_text=words,
            photos=self.photo_notes, event_id=comment_id,
            original=self.delivery.raw if result != "refused" and self.delivery.raw else None,
            raw_size=self.delivery.size or len(self.delivery.raw))
        if await _seen(self.key):
            return Outcome("duplicate")
        await t.MailInbound.insert(row).on_conflict(target=t.MailInbound.dedupe_key, action="DO NOTHING")
        if not await t.MailInbound.exists().where(t.MailInbound.id == row.id):
            return Outcome("duplicate")
        if tell and self.person is not None:
            await self._tell(row, reason, detail, issues)
        log.info("reply %s to %s: %s %s", mail.message_id, address.get("id"), result, reason)
        return Outcome(result, reason, inbound_id=row.id, comment_id=comment_id)

    async def _tell(self, row: t.MailInbound, reason: str, detail: str, issues: int) -> None:
        """Tell the person (at their own address, never the message's From: that may be forged) why their
        reply did not reach the timeline."""
        assert self.person is not None
        title = ""
        if row.issue_id is not None:
            issue = await t.Issue.select(t.Issue.title).where(t.Issue.id == row.issue_id).first()
            title = issue["title"] if issue else ""
        notice = reply_notice(reason, name=self.person.name, title=title, detail="",
                              limit_bytes=self.settings.max_reply_photo_bytes if reason == "photo_too_large"
                              else self.settings.max_reply_bytes, issues=issues,
                              words=await words_for(self.person.user_id))
        if notice is None:
            return
        subject, body = notice
        await insert_once(outbox_row(dedupe_key=f"reply-notice:{row.id}", user_id=self.person.user_id,
                                     to_address=self.person.email, subject=subject, body=body, kind="reply_notice"))


async def _seen(key: str) -> bool:
    return await t.MailInbound.exists().where(t.MailInbound.dedupe_key == key)


async def _person(user_id: UUID) -> _Person | None:
    """The person an address speaks for, while their account is open (closed or erased: the address is dead)."""
    row = await t.AppUser.select(t.AppUser.id, t.AppUser.name, t.AppUser.email, t.AppUser.active).where(
        t.AppUser.id == user_id).first()
    if row is None or not row["active"]:
        return None
    return _Person(user_id=row["id"], name=row["name"], email=row["email"].lower())


async def _issues_in_digest(outbox_id: UUID) -> int:
    rows = await t.MailReplyAddress.select(t.MailReplyAddress.issue_id).where(
        (t.MailReplyAddress.outbox_id == outbox_id) & t.MailReplyAddress.issue_id.is_not_null())
    return len({row["issue_id"] for row in rows})


async def _only_issue_of_digest(outbox_id: UUID) -> UUID | None:
    rows = await t.MailReplyAddress.select(t.MailReplyAddress.issue_id).where(
        (t.MailReplyAddress.outbox_id == outbox_id) & t.MailReplyAddress.issue_id.is_not_null())
    issues = {row["issue_id"] for row in rows}
    return issues.pop() if len(issues) == 1 else None


async def _may_comment(user_id: UUID, issue_id: UUID) -> bool:
    issue = await t.Issue.select(t.Issue.estate_id, t.Issue.assignee_id, t.Issue.raised_by).where(
        t.Issue.id == issue_id).first()
    if issue is None:
        return False
    role = (await roles_of(user_id)).get(issue["estate_id"])
    return may(role, "issue.comment", is_assignee=issue["assignee_id"] == user_id,
               is_raiser=issue["raised_by"] == user_id)
