"""Rate limits on guessing: sign-in per account and per address, invitation acceptance per address and per link.

Kept in the database rather than in memory so that every server process (and every restart) counts the same
attempts. Every attempt is counted *before* the password is checked, by one atomic upsert that answers the new
count (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, the same statement on SQLite and PostgreSQL). Reading a
count and writing it back later let sixteen parallel guesses all read "no failures yet" and all be checked; an
atomic count cannot be raced: of fifty parallel attempts, the sixth and later are refused.

A successful sign-in takes its attempt back: the account's count is cleared and the address's lowered by one,
so an office of people signing in behind one address is never locked out by succeeding. Counting by account
stops guessing one person's password from many addresses; counting by address stops one machine trying many
accounts or invitation links. Behind a reverse proxy the address is the proxy's unless the server is told to
trust its forwarding header (uvicorn's ``--proxy-headers --forwarded-allow-ips``).
"""

from __future__ import annotations

import datetime as dt

from server.clock import utcnow
from server.db.engine import current_engine, write_transaction
from server.db.tables import SignInCounter

WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
#: Invitation links: a few mistyped links per address are normal; guessing tokens is not.
MAX_INVITE_ATTEMPTS_PER_ADDRESS = 20
MAX_INVITE_ATTEMPTS_PER_LINK = 5

_COUNT = """
INSERT INTO sign_in_counter (key, attempts, window_start_ms) VALUES ({}, 1, {})
ON CONFLICT (key) DO UPDATE SET
    attempts = CASE WHEN sign_in_counter.window_start_ms <= {} THEN 1 ELSE sign_in_counter.attempts + 1 END,
    window_start_ms = CASE WHEN sign_in_counter.window_start_ms <= {} THEN excluded.window_start_ms
                           ELSE sign_in_counter.window_start_ms END
RETURNING attempts, window_start_ms
"""


def _millis(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


async def count_attempt(limits: list[tuple[str, int]]) -> int:
    """Count one attempt under each ``(key, limit)``; 0 when it may go ahead, else seconds until it may.

    An attempt over the limit is counted too (it still ends no sooner than the window), so hammering does not
    help."""
    now = _millis(utcnow())
    expired = now - int(WINDOW.total_seconds() * 1000)
    wait = 0
    async with write_transaction(current_engine()):
        for key, limit in limits:
            rows = await SignInCounter.raw(_COUNT, key[:400], now, expired, expired)
            attempts, started = rows[0]["attempts"], rows[0]["window_start_ms"]
            if attempts > limit:
                wait = max(wait, (started + int(WINDOW.total_seconds() * 1000) - now) // 1000 + 1)
    return wait


async def take_back(account_key: str, address_key: str | None = None) -> None:
    """A successful attempt: the account starts again from nothing; the address counts one attempt fewer."""
    async with write_transaction(current_engine()):
        await SignInCounter.delete().where(SignInCounter.key == account_key[:400])
        if address_key is not None:
            await SignInCounter.update({SignInCounter.attempts: SignInCounter.attempts - 1}).where(
                (SignInCounter.key == address_key[:400]) & (SignInCounter.attempts > 0))
    # Old windows are left for the next attempt on the same key to restart; sweep the rest now and then.
    await SignInCounter.delete().where(
        SignInCounter.window_start_ms < _millis(utcnow() - 2 * WINDOW))


async def sign_in_attempt(email: str, address: str) -> int:
    return await count_attempt([(f"account:{email}", MAX_FAILURES_PER_ACCOUNT),
                                (f"address:{address}", MAX_FAILURES_PER_ADDRESS)])


async def signed_in(email: str, address: str) -> None:
    await take_back(f"account:{email}", f"address:{address}")


async def invite_attempt(token_digest: str, address: str) -> int:
    return await count_attempt([(f"invite:{token_digest}", MAX_INVITE_ATTEMPTS_PER_LINK),
                                (f"invite-address:{address}", MAX_INVITE_ATTEMPTS_PER_ADDRESS)])


async def invite_accepted(token_digest: str, address: str) -> None:
    await take_back(f"invite:{token_digest}", f"invite-address:{address}")
