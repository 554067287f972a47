"""``estatewalk receive-mail``: an SMTP or LMTP server that a mail server hands the ``reply+…`` addresses to.

Run behind the landlord's mail server (Postfix, Exim; docs/action-plan.md has a Postfix example), never open to
the internet: it relays nothing and checks no spam, it only takes replies in. Addresses other than
``reply+…@<reply domain>`` are refused at ``RCPT``. A message is answered:

- ``250`` once it is a comment or kept in the quarantine (a bad token, an auto-reply… is not the sender's
  business: answering them would only tell a forger what we know);
- ``552`` with a sentence the sender's mail server passes on, when it or one of its photos is too large;
- ``451`` (try again later) when the database is away: the mail server keeps it and retries, and the retry
  makes no second comment.

With ``--lmtp`` it speaks LMTP (RFC 2033), which answers each recipient separately.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session

from server.notify.wording import too_large_bounce
from server.replies.addresses import ReplyKeys, tokens_in
from server.replies.intake import Delivery, Outcome, take_in
from server.settings import Settings

log = logging.getLogger("estatewalk.replies")

_AIOSMTPD_TOO_LARGE = ("552 Error: Too much mail data", "552 Error: message size exceeds fixed maximum message size")


class ReplyHandler:
    """aiosmtpd's hooks: which recipients are taken, and what becomes of each message."""

    def __init__(self, settings: Settings, *, lmtp: bool) -> None:
        keys = ReplyKeys.from_settings(settings)
        if keys is None:
            raise ValueError("replies are not configured: set ESTATEWALK_REPLY_DOMAIN and ESTATEWALK_REPLY_SECRET")
        self.settings = settings
        self.keys = keys
        self.lmtp = lmtp

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        if not tokens_in([address], self.keys.domain):
            return "550 5.1.1 No such reply address here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        statuses = [await self._one(raw, envelope.mail_from, recipient) for recipient in envelope.rcpt_tos]
        if self.lmtp:
            return "\r\n".join(statuses)
        # SMTP gives one answer for all: a failure of any recipient is the answer (delivered ones are not
        # delivered twice when the sender tries again).
        return next((s for s in statuses if s.startswith("4")), None) or \
            next((s for s in statuses if s.startswith("5")), None) or statuses[0]

    async def _one(self, raw: bytes, mail_from: str | None, recipient: str) -> str:
        try:
            (outcome,) = await take_in(Delivery(raw=raw, via="lmtp" if self.lmtp else "smtp",
                                                envelope_from=mail_from, envelope_to=(recipient,)), self.settings)
        except Exception:  # noqa: BLE001 - the mail server keeps the message and tries again
            log.exception("a reply to %s could not be taken in; the mail server is asked to retry", recipient)
            return "451 4.3.0 Temporary failure, try again later"
        return _status(outcome)

    async def record_refused(self, envelope: Envelope) -> None:
        """A message aiosmtpd stopped reading for its size: keep what is known of it (the envelope)."""
        for recipient in envelope.rcpt_tos:
            try:
                await take_in(Delivery(raw=b"", via="lmtp" if self.lmtp else "smtp", envelope_from=envelope.mail_from,
                                       envelope_to=(recipient,), size=self.settings.max_reply_bytes + 1),
                              self.settings)
            except Exception:  # noqa: BLE001 - the refusal is sent whatever happens here
                log.exception("a refused reply to %s could not be recorded", recipient)


def _status(outcome: Outcome) -> str:
    if outcome.result == "refused":
        return f"552 5.3.4 {outcome.bounce}"
    if outcome.result == "comment":
        return "250 2.0.0 Added to the issue's timeline"
    return "250 2.0.0 OK"


class _Words:
    """aiosmtpd's own size refusals, said in words the sender's mail server can pass on to a resident."""

    event_handler: ReplyHandler

    async def push(self, status: Any) -> None:
        if isinstance(status, str) and status in _AIOSMTPD_TOO_LARGE:
            if status == _AIOSMTPD_TOO_LARGE[0] and getattr(self, "envelope", None) is not None:
                await self.event_handler.record_refused(self.envelope)  # type: ignore[attr-defined]
            status = f"552 5.3.4 {too_large_bounce(self.event_handler.settings.max_reply_bytes)}"
        await super().push(status)  # type: ignore[misc]


class _Smtp(_Words, SMTP):
    pass


class _Lmtp(_Words, LMTP):
    pass


async def serve(settings: Settings, host: str, port: int, *, lmtp: bool = False,
                ready: asyncio.Event | None = None) -> None:
    """Receive replies on ``host:port`` until cancelled."""
    handler = ReplyHandler(settings, lmtp=lmtp)
    protocol = _Lmtp if lmtp else _Smtp

    def connection() -> SMTP:
        return protocol(handler, data_size_limit=settings.max_reply_bytes, enable_SMTPUTF8=True,
                        hostname=handler.keys.domain, ident="Estatewalk reply receiver",
                        loop=asyncio.get_running_loop())

    listener = await asyncio.get_running_loop().create_server(connection, host, port)
    if ready is not None:
        ready.set()
    async with listener:
        await listener.serve_forever()
