"""``estatewalk fetch-mail``: replies from a mailbox (IMAP), for landlords whose mail is hosted elsewhere.

One pass reads the configured folder, hands each message to ``intake.take_in`` and moves it to the "done"
folder. It is safe from cron, from the server's background task, and from several of them at once:

- one poller at a time reads a mailbox (a PostgreSQL advisory lock, or a file lock beside the SQLite
  database); another that starts meanwhile finds it busy and leaves. Two sessions moving the same message at
  once is the one thing IMAP servers handle badly (Dovecot files it twice);
- a message is taken in once however often it is fetched or delivered (``mail_inbound.dedupe_key``, claimed in
  the comment's own transaction), so a mailbox holding it twice, or a poller on another machine, makes no
  second comment;
- a message is moved only after what became of it is committed, so a poller killed half-way leaves it in the
  folder for the next pass, which makes no second comment;
- a message another poller moved meanwhile is simply gone, and skipped;
- a message too large is not even downloaded: its headers are enough to refuse it and tell the person.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import imaplib
import logging
import re
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlparse

import anyio.to_thread
from piccolo.engine.postgres import PostgresEngine

from server.db.engine import current_engine
from server.replies.intake import Delivery, take_in
from server.settings import Settings

log = logging.getLogger("estatewalk.replies")

DEFAULT_DONE = "Estatewalk"


@dataclass(frozen=True)
class ImapTarget:
    host: str
    port: int
    use_ssl: bool
    starttls: bool
    username: str
    password: str
    folder: str
    done: str

    @classmethod
    def from_url(cls, url: str) -> "ImapTarget":
        """``imaps://user:password@host[:port][/FOLDER][?done=FOLDER]``, or ``imap://…?starttls=1``.

        The folder defaults to ``INBOX``, the one handled messages go to to ``Estatewalk``.
        """
        parsed = urlparse(url)
        if parsed.scheme not in ("imap", "imaps"):
            raise ValueError(f"ESTATEWALK_IMAP_URL must start with imap:// or imaps://, not {parsed.scheme}://")
        if not parsed.username:
            raise ValueError("ESTATEWALK_IMAP_URL needs a user name and password: imaps://user:password@host/")
        query = parse_qs(parsed.query)
        return cls(host=parsed.hostname or "127.0.0.1", port=parsed.port or (993 if parsed.scheme == "imaps" else 143),
                   use_ssl=parsed.scheme == "imaps", starttls=query.get("starttls", ["0"])[0] in ("1", "true"),
                   username=unquote(parsed.username), password=unquote(parsed.password or ""),
                   folder=unquote(parsed.path.strip("/")) or "INBOX", done=query.get("done", [DEFAULT_DONE])[0])


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Mailbox:
    """The IMAP conversation (blocking: used from a worker thread, one call at a time)."""

    def __init__(self, target: ImapTarget, timeout: float = 60) -> None:
        self.target = target
        if target.use_ssl:
            self.imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(target.host, target.port,
                                                         ssl_context=ssl.create_default_context(), timeout=timeout)
        else:
            self.imap = imaplib.IMAP4(target.host, target.port, timeout=timeout)
            if target.starttls:
                self.imap.starttls(ssl_context=ssl.create_default_context())
        self.imap.login(target.username, target.password)
        self.capabilities = {c.upper() for c in self.imap.capabilities}

    def open_folders(self) -> None:
        status, detail = self.imap.select(_quoted(self.target.folder))
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open the folder {self.target.folder}: {detail}")
        # "Already exists" is the usual answer; a real problem shows when the first message is moved.
        self.imap.create(_quoted(self.target.done))

    def done_folder_exists(self) -> bool:
        status, listed = self.imap.list('""', _quoted(self.target.done))
        return status == "OK" and any(item for item in listed if item)

    def uids(self) -> list[bytes]:
        status, data = self.imap.uid("SEARCH", None, "UNDELETED")  # type: ignore[arg-type]
        return data[0].split() if status == "OK" and data and data[0] else []

    def size(self, uid: bytes) -> int | None:
        status, data = self.imap.uid("FETCH", uid, "(RFC822.SIZE)")  # type: ignore[arg-type]
        for item in data if status == "OK" else []:
            found = re.search(rb"RFC822\.SIZE (\d+)", item if isinstance(item, bytes) else item[0])
            if found:
                return int(found.group(1))
        return None  # gone: another poller moved it

    def fetch(self, uid: bytes, *, headers_only: bool) -> bytes | None:
        part = "BODY.PEEK[HEADER]" if headers_only else "BODY.PEEK[]"
        status, data = self.imap.uid("FETCH", uid, f"({part})")  # type: ignore[arg-type]
        for item in data if status == "OK" else []:
            if isinstance(item, tuple) and len(item) == 2:
                return item[1]
        return None

    def move(self, uid: bytes) -> None:
        done = _quoted(self.target.done)
        if "MOVE" in self.capabilities:
            self.imap.uid("MOVE", uid, done)  # type: ignore[arg-type]
            return
        status, _ = self.imap.uid("COPY", uid, done)  # type: ignore[arg-type]
        if status == "OK":
            self.imap.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")  # type: ignore[arg-type]
            if "UIDPLUS" in self.capabilities:
                self.imap.uid("EXPUNGE", uid)  # type: ignore[arg-type]
            else:
                self.imap.expunge()

    def close(self) -> None:
        try:
            self.imap.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


@dataclass
class FetchReport:
    comments: int = 0
    quarantined: int = 0
    refused: int = 0
    duplicates: int = 0
    left: int = 0
    """Messages left in the folder for the next pass (the database was away)."""
    busy: bool = False
    """Another poller was reading the mailbox: this one did nothing."""

    def line(self) -> str:
        if self.busy:
            return "Another fetch-mail is reading this mailbox now; nothing done."
        return (f"Replies: {self.comments} added to timelines, {self.quarantined} quarantined, {self.refused} "
                f"refused, {self.duplicates} already taken; {self.left} left to try again.")


@contextlib.asynccontextmanager
async def _only_poller(settings: Settings, target: ImapTarget) -> AsyncIterator[bool]:
    """Whether this is the only poller reading this mailbox now (held until the pass ends)."""
    name = f"{target.username}@{target.host}:{target.port}/{target.folder}"
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        import asyncpg

        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        connection = await asyncpg.connect(engine.config["dsn"])
        try:
            yield await connection.fetchval("SELECT pg_try_advisory_lock($1)", key)
        finally:
            await connection.close()  # ends the session, and the lock with it
        return
    path = settings.data_dir / f".fetch-mail-{hashlib.sha256(name.encode()).hexdigest()[:16]}.lock"
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


async def fetch_once(settings: Settings, *, batch: int = 200) -> FetchReport:
    """One pass over the mailbox folder; raises ``OSError``/``imaplib.IMAP4.error`` if it cannot be reached."""
    target = ImapTarget.from_url(settings.imap_url or "")
    async with _only_poller(settings, target) as alone:
        if not alone:
            return FetchReport(busy=True)
        return await _fetch(settings, target, batch)


async def _fetch(settings: Settings, target: ImapTarget, batch: int) -> FetchReport:
    box = await anyio.to_thread.run_sync(Mailbox, target)
    report = FetchReport()
    try:
        await anyio.to_thread.run_sync(box.open_folders)
        for uid in (await anyio.to_thread.run_sync(box.uids))[:batch]:
            size = await anyio.to_thread.run_sync(box.size, uid)
            if size is None:
                continue
            too_large = size > settings.max_reply_bytes
            raw = await anyio.to_thread.run_sync(lambda: box.fetch(uid, headers_only=too_large))
            if raw is None:
                continue
            try:
                outcomes = await take_in(Delivery(raw=raw, via="imap", size=size if too_large else None), settings)
            except Exception:  # noqa: BLE001 - left in the folder: the next pass tries again
                log.exception("a reply (IMAP uid %s) could not be taken in; it stays for the next pass", uid)
                report.left += 1
                continue
            for outcome in outcomes:
                if outcome.result == "comment":
                    report.comments += 1
                elif outcome.result == "duplicate":
                    report.duplicates += 1
                elif outcome.result == "refused":
                    report.refused += 1
                else:
                    report.quarantined += 1
            await anyio.to_thread.run_sync(box.move, uid)
    finally:
        await anyio.to_thread.run_sync(box.close)
    return report


async def fetch_forever(settings: Settings) -> None:
    """The server's background task: a pass every ``imap_interval_seconds``."""
    while True:
        try:
            report = await fetch_once(settings)
            if report.comments or report.quarantined or report.refused or report.left:
                log.info(report.line())
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a mailbox or database hiccup must not end fetching for good
            log.exception("fetching replies failed this round; it tries again")
        await asyncio.sleep(settings.imap_interval_seconds)
