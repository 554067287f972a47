"""Delivering the outbox over SMTP, with retries, backoff and claims that two senders never share.

How a row is sent exactly once:

1. *Claim* (one short write transaction): pick due, unclaimed rows and stamp them with this sender's id and a
   lease (``claimed_until``). On PostgreSQL the pick uses ``FOR UPDATE SKIP LOCKED``, so two senders never
   pick the same row; on SQLite the transaction takes the single write lock up front, which serialises claims.
2. *Send* outside any transaction, with an SMTP timeout well inside the lease.
3. *Settle*: mark the row sent, or schedule the next attempt with exponential backoff, only if this sender
   still holds the claim.

A sender that dies after claiming leaves the row leased; when the lease runs out another sender takes it. A
row committed while no sender runs simply waits. The one window no outbox can close is a crash after the SMTP
server accepted the message and before step 3: the message is then sent again, with the same ``Message-ID``
(derived from the row id), which receiving systems use to drop the duplicate.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import smtplib
import socket
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from piccolo.engine.postgres import PostgresEngine

from server.clock import utcnow
from server.db import tables as t
from server.db.engine import current_engine, write_transaction
from server.notify.wording import REPLY_MARKER, REPLY_MARKER_DIGEST
from server.replies.addresses import ReplyKeys, render_addresses, reply_address

log = logging.getLogger("estatewalk.mail")

DEFAULT_FROM = "Estatewalk <estatewalk@localhost>"
DIGEST_CHECK_SECONDS = 300


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    use_ssl: bool
    starttls: bool
    username: str | None
    password: str | None
    sender: str

    @classmethod
    def from_url(cls, url: str) -> "SmtpTarget":
        """``smtp://[user:pass@]host[:port][?starttls=1&from=...]`` or ``smtps://…`` (TLS from the start)."""
        parsed = urlparse(url)
        if parsed.scheme not in ("smtp", "smtps"):
            raise ValueError(f"ESTATEWALK_SMTP_URL must start with smtp:// or smtps://, not {parsed.scheme}://")
        query = parse_qs(parsed.query)
        return cls(host=parsed.hostname or "127.0.0.1", port=parsed.port or (465 if parsed.scheme == "smtps" else 25),
                   use_ssl=parsed.scheme == "smtps", starttls=query.get("starttls", ["0"])[0] in ("1", "true"),
                   username=unquote(parsed.username) if parsed.username else None,
                   password=unquote(parsed.password) if parsed.password else None,
                   sender=query.get("from", [DEFAULT_FROM])[0])


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def backoff(attempts: int, base: float) -> dt.timedelta:
    """30 s, 1 min, 2 min, 4 min… capped at 6 hours (with the default base)."""
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


class MailSender:
    def __init__(self, smtp_url: str, *, lease_seconds: float = 300, retry_base_seconds: float = 30,
                 max_attempts: int = 10, batch: int = 20, smtp_timeout: float = 30,
                 replies: ReplyKeys | None = None) -> None:
        self.target = SmtpTarget.from_url(smtp_url)
        self.replies = replies
        self.worker = f"{socket.gethostname()[:40]}:{uuid.uuid4().hex[:12]}"
        self.lease = dt.timedelta(seconds=lease_seconds)
        # The SMTP conversation must end well before the lease does, or a second sender could take the row.
        self.smtp_timeout = min(smtp_timeout, max(lease_seconds / 2, 1))
        self.retry_base = retry_base_seconds
        self.max_attempts = max_attempts
        self.batch = batch

    async def claim(self) -> list[dict[str, Any]]:
        """Lease up to ``batch`` due rows to this sender; returns them."""
        moment = utcnow()
        async with write_transaction(current_engine()):
            lock = " FOR UPDATE SKIP LOCKED" if isinstance(current_engine(), PostgresEngine) else ""
            due = await t.MailOutbox.raw(
                "SELECT id FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= {} "
                "AND (claimed_until IS NULL OR claimed_until < {}) ORDER BY created_at LIMIT {}" + lock,
                moment, moment, self.batch)
            ids = [row["id"] for row in due]
            if not ids:
                return []
            await t.MailOutbox.update({t.MailOutbox.claimed_by: self.worker,
                                       t.MailOutbox.claimed_until: moment + self.lease,
                                       t.MailOutbox.attempts: t.MailOutbox.attempts + 1}).where(
                t.MailOutbox.id.is_in(ids))
            return await t.MailOutbox.select().where(t.MailOutbox.id.is_in(ids))

    def _message(self, row: dict[str, Any]) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.target.sender
        message["To"] = row["to_address"]
        message["Subject"] = row["subject"]
        message["Date"] = format_datetime(row["created_at"])
        domain = self.replies.domain if self.replies else "estatewalk.invalid"
        # Stable per outbox row: a re-send after a crash carries the same id, so it can be recognised.
        message["Message-ID"] = f"<{row['id']}@{domain}>"
        if row.get("issue_id"):
            # Every e-mail about one issue answers the same (never sent) first message, so mail clients show
            # them, and the replies to them, as one conversation.
            message["In-Reply-To"] = message["References"] = f"<issue.{row['issue_id']}@{domain}>"
        # RFC 3834: no auto-responder should answer this (and Exchange's out-of-office is asked not to).
        message["Auto-Submitted"] = "auto-generated"
        message["X-Auto-Response-Suppress"] = "All"
        message["X-Estatewalk-Outbox-Id"] = str(row["id"])
        expires = utcnow() + dt.timedelta(days=self.replies.days) if self.replies else utcnow()
        body = render_addresses(row["body"], self.replies, expires)
        if self.replies and row.get("reply_address_id"):
            message["Reply-To"] = reply_address(row["reply_address_id"], expires, self.replies)
            marker = REPLY_MARKER if row.get("issue_id") else REPLY_MARKER_DIGEST
            body = f"{marker}\n\n{body}"
        message.set_content(body)
        return message

    def _deliver(self, message: EmailMessage) -> None:
        target = self.target
        if target.use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(target.host, target.port, timeout=self.smtp_timeout,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(target.host, target.port, timeout=self.smtp_timeout)
        with smtp:
            if target.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if target.username:
                smtp.login(target.username, target.password or "")
            smtp.send_message(message)

    async def _settle(self, row: dict[str, Any], error: Exception | None, report: SendReport) -> None:
        moment = utcnow()
        mine = (t.MailOutbox.id == row["id"]) & (t.MailOutbox.claimed_by == self.worker)
        async with write_transaction(current_engine()):
            if error is None:
                await t.MailOutbox.update({t.MailOutbox.status: "sent", t.MailOutbox.sent_at: moment,
                                           t.MailOutbox.claimed_until: None, t.MailOutbox.last_error: None}).where(mine)
                report.sent += 1
            elif row["attempts"] >= self.max_attempts:
                await t.MailOutbox.update({t.MailOutbox.status: "failed", t.MailOutbox.claimed_until: None,
                                           t.MailOutbox.last_error: str(error)[:2000]}).where(mine)
                report.failed += 1
            else:
                await t.MailOutbox.update({
                    t.MailOutbox.claimed_by: None, t.MailOutbox.claimed_until: None,
                    t.MailOutbox.next_attempt_at: moment + backoff(row["attempts"], self.retry_base),
                    t.MailOutbox.last_error: str(error)[:2000]}).where(mine)
                report.retrying += 1

    async def send_due(self) -> SendReport:
        """Claim and send everything due now, batch after batch; returns what happened."""
        report = SendReport()
        while True:
            rows = await self.claim()
            if not rows:
                return report
            for row in rows:
                error: Exception | None = None
                try:
                    await asyncio.to_thread(self._deliver, self._message(row))
                except (OSError, smtplib.SMTPException) as failure:
                    error = failure
                    log.warning("e-mail %s to %s not sent (attempt %s): %s", row["id"], row["to_address"],
                                row["attempts"], failure)
                await self._settle(row, error, report)
            if report.retrying or report.failed:
                # The server is refusing or away: leave the rest for the next round rather than hammer it.
                return report


async def run_forever(smtp_url: str, interval: float, lease_seconds: float = 300,
                      replies: ReplyKeys | None = None) -> None:
    """The app's background task: build digests and send due e-mail every ``interval`` seconds."""
    from server.notify.digests import build_digests

    sender = MailSender(smtp_url, lease_seconds=lease_seconds, replies=replies)
    # Digests are daily: looking every few minutes is plenty, and spares SQLite's single write lock.
    digests_due = 0.0
    loop = asyncio.get_running_loop()
    while True:
        try:
            if loop.time() >= digests_due:
                await build_digests()
                digests_due = loop.time() + DIGEST_CHECK_SECONDS
            await sender.send_due()
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a database hiccup must not end e-mail for good
            log.exception("the mail sender failed this round; it tries again")
        await asyncio.sleep(interval)
