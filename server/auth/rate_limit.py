"""Sign-in rate limit: failures per account and per address, kept in the database.

In the database rather than in memory so that every server process (and every restart) counts the same
failures. Only failures are stored; a successful sign-in clears its account's count. Counting by account stops
guessing one person's password from many addresses; counting by address stops one machine trying many accounts.
Behind a reverse proxy the address is the proxy's unless the server is told to trust its forwarding header
(uvicorn's ``--proxy-headers --forwarded-allow-ips``).
"""

from __future__ import annotations

import datetime as dt
import uuid

from server.clock import utcnow
from server.db.tables import SignInFailure

WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20


async def seconds_until_allowed(email: str, address: str) -> int:
    """0 when a sign-in may be tried now; otherwise how long until the oldest counted failure ages out."""
    since = utcnow() - WINDOW
    for column, value, limit in ((SignInFailure.email, email, MAX_FAILURES_PER_ACCOUNT),
                                 (SignInFailure.address, address, MAX_FAILURES_PER_ADDRESS)):
        rows = await (SignInFailure.select(SignInFailure.at).where((column == value) & (SignInFailure.at > since))
                      .order_by(SignInFailure.at, ascending=False).limit(limit))
        if len(rows) >= limit:
            return max(1, int((rows[-1]["at"] + WINDOW - utcnow()).total_seconds()) + 1)
    return 0


async def record_failure(email: str, address: str) -> None:
    moment = utcnow()
    await SignInFailure.insert(SignInFailure(id=uuid.uuid4(), email=email[:320], address=address[:100], at=moment))
    # Keep the table small: rows older than the window no longer count.
    await SignInFailure.delete().where(SignInFailure.at < moment - 2 * WINDOW)


async def clear_failures(email: str) -> None:
    await SignInFailure.delete().where(SignInFailure.email == email)
