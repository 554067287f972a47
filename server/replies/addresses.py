"""Reply addresses: ``reply+<token>@<domain>``, one per person per e-mail, naming an issue (or a digest).

The token is 23 bytes in lower-case base32 (37 characters, so ``reply+<token>`` stays well inside SMTP's 64
for a local part; base32 because mail systems may change the case of a local part):

    version (1) | reply address id (8) | expiry, unix seconds (4) | HMAC-SHA256 of the 13 bytes before (10)

The signature proves the server made the address and fixes when it stops working, so a guessed, altered or
extended address is refused without trusting anything in the message. Who the address speaks for and which
issue it names live in the ``mail_reply_address`` row (written with the outbox row, in the change's own
transaction), so a database row alone is not a working address, and an address can be revoked.

When a reply address stops working (see docs/action-plan.md, "Replies by e-mail"): at its expiry; when it is
revoked (the person withdraws their reply addresses); when the person's account is closed (disabled or erased);
and, checked again by the sync engine for every reply, when the person may no longer comment on the issue (left
the estate, or a contractor the job was taken from). Signing out of a phone does not end it: the mailbox is not
the phone.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import re
import secrets
import struct
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Iterable, Literal
from uuid import UUID

from server.clock import utcnow
from server.db import tables as t
from server.settings import Settings

VERSION = 1
PREFIX = "reply+"
#: Fewer characters than this and a secret can be guessed offline from one signed address.
MIN_SECRET_LENGTH = 32
_MAC_BYTES = 10
_PAYLOAD = struct.Struct(">B8sI")
_TOKEN_LENGTH = 37
_PLACEHOLDER = re.compile(r"\[\[reply:([0-9a-f]{16})\]\]")


@dataclass(frozen=True)
class ReplyKeys:
    """What the sender and the receivers need to make and check reply addresses."""

    domain: str
    secret: bytes
    days: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "ReplyKeys | None":
        if not settings.replies_enabled:
            return None
        return cls(domain=(settings.reply_domain or "").lower(), secret=(settings.reply_secret or "").encode(),
                   days=settings.reply_address_days)


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, b"estatewalk reply address\0" + payload, hashlib.sha256).digest()[:_MAC_BYTES]


def make_token(address_id: str, expires_at: dt.datetime, secret: bytes) -> str:
    payload = _PAYLOAD.pack(VERSION, bytes.fromhex(address_id), int(expires_at.timestamp()))
    return base64.b32encode(payload + _mac(secret, payload)).decode().rstrip("=").lower()


def reply_address(address_id: str, expires_at: dt.datetime, keys: ReplyKeys) -> str:
    return f"{PREFIX}{make_token(address_id, expires_at, keys.secret)}@{keys.domain}"


TokenProblem = Literal["unknown_token", "tampered_token", "expired_token"]


@dataclass(frozen=True)
class TokenReading:
    """What a token says, once its signature is checked: the address row's id, or why it cannot be used."""

    address_id: str | None
    problem: TokenProblem | None = None


def read_token(token: str, keys: ReplyKeys, now: dt.datetime | None = None) -> TokenReading:
    """Check a token's form, signature and expiry, in that order; nothing in the database is read."""
    text = token.strip().upper()
    if len(text) != _TOKEN_LENGTH or not re.fullmatch(r"[A-Z2-7]+", text):
        return TokenReading(None, "unknown_token")
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        return TokenReading(None, "unknown_token")
    payload, mac = raw[:_PAYLOAD.size], raw[_PAYLOAD.size:]
    version, address_id, expires = _PAYLOAD.unpack(payload)
    if version != VERSION:
        return TokenReading(None, "unknown_token")
    if not hmac.compare_digest(mac, _mac(keys.secret, payload)):
        return TokenReading(address_id.hex(), "tampered_token")
    if (now or utcnow()).timestamp() >= expires:
        return TokenReading(address_id.hex(), "expired_token")
    return TokenReading(address_id.hex())


def tokens_in(addresses: Iterable[str], domain: str) -> list[str]:
    """The tokens of the reply addresses among ``addresses`` (of this domain only), first seen first."""
    found: list[str] = []
    for address in addresses:
        local, _, host = parseaddr(address)[1].rpartition("@")
        if host.lower() != domain.lower() or not local.lower().startswith(PREFIX):
            continue
        token = local[len(PREFIX):].lower()
        if token and token not in found:
            found.append(token)
    return found


# --- the rows --------------------------------------------------------------------------------------------------

def new_address_id() -> str:
    return secrets.token_hex(8)


async def add_reply_address(address_id: str, *, outbox_id: UUID, user_id: UUID, issue_id: UUID | None,
                            estate_id: UUID | None) -> None:
    """Record a reply address given out in an e-mail (inside the transaction that queues the e-mail)."""
    await t.MailReplyAddress.insert(t.MailReplyAddress(
        id=address_id, outbox_id=outbox_id, user_id=user_id, issue_id=issue_id, estate_id=estate_id,
        created_at=utcnow()))


def placeholder(address_id: str) -> str:
    """Stands in an outbox body for a reply address: only the sender knows the secret that makes it."""
    return f"[[reply:{address_id}]]"


def render_addresses(body: str, keys: ReplyKeys | None, expires_at: dt.datetime) -> str:
    """Put the real reply addresses in place of their placeholders, or drop those lines when replies are off."""
    if keys is None:
        return "\n".join(line for line in body.split("\n") if not _PLACEHOLDER.search(line))
    return _PLACEHOLDER.sub(lambda match: reply_address(match.group(1), expires_at, keys), body)


async def revoke_reply_addresses(user_id: UUID) -> int:
    """End every reply address a person was given; returns how many were still working."""
    live = await t.MailReplyAddress.count().where(
        (t.MailReplyAddress.user_id == user_id) & t.MailReplyAddress.revoked_at.is_null())
    await t.MailReplyAddress.update({t.MailReplyAddress.revoked_at: utcnow()}).where(
        (t.MailReplyAddress.user_id == user_id) & t.MailReplyAddress.revoked_at.is_null())
    return live
