"""Checks an operator runs against a deployment: ``estatewalk check``."""

from __future__ import annotations

import asyncio
import os
import smtplib
import uuid
from urllib.parse import urlparse

from msgspec import Struct

from server.settings import Settings


class CheckResult(Struct):
    name: str
    ok: bool
    detail: str


async def check_database() -> CheckResult:
    from server.db.engine import current_engine
    from server.db.tables import ChangeCounter

    try:
        await ChangeCounter.raw("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure is the answer
        return CheckResult("database reachable", False, str(error))
    return CheckResult("database reachable", True, current_engine().engine_type)


async def check_migrations() -> CheckResult:
    from piccolo.apps.migrations.commands.check import CheckMigrationManager

    try:
        waiting = await CheckMigrationManager(app_name="all").havent_ran_count()
    except Exception as error:  # noqa: BLE001
        return CheckResult("migrations current", False, str(error))
    if waiting:
        return CheckResult("migrations current", False, f"{waiting} migration(s) not applied: run estatewalk migrate")
    return CheckResult("migrations current", True, "all applied")


def check_photo_store(settings: Settings) -> CheckResult:
    if settings.photo_store_kind == "database":
        return CheckResult("photo store writable", True,
                           "database (ESTATEWALK_PHOTO_STORE=database): photos and unfinished uploads live in the "
                           "database, shared by every app host; its backup covers them")
    probe = settings.photo_dir / f".check-{uuid.uuid4().hex}"
    try:
        settings.photo_dir.mkdir(parents=True, exist_ok=True)
        with open(probe, "wb") as handle:
            handle.write(b"estatewalk check")
            handle.flush()
            os.fsync(handle.fileno())
        probe.unlink()
    except OSError as error:
        return CheckResult("photo store writable", False, str(error))
    return CheckResult("photo store writable", True, f"files in {settings.photo_dir} (ESTATEWALK_PHOTO_STORE=files): "
                                                     "one host only, unless that directory is shared")


async def check_photo_contents(settings: Settings) -> CheckResult:
    """Every photo the database knows has its three variants, whole, in the configured store."""
    from server.photos.moving import store_health

    name = "photo store contents"
    try:
        health = await store_health(settings)
    except Exception as error:  # noqa: BLE001 - any failure is the answer
        return CheckResult(name, False, str(error))
    summary = (f"{health.kind}: {health.photos} photo(s), {health.values} stored value(s), "
               f"{health.byte_size / 1024 / 1024:.1f} MiB")
    if health.incomplete:
        shown = ", ".join(item[:20] for item in health.incomplete[:5])
        return CheckResult(name, False, f"{summary}; {len(health.incomplete)} incomplete ({shown}…): the phones "
                                        "that took them send the bytes again when asked, or run "
                                        "`estatewalk photos migrate` if they are in the other store")
    return CheckResult(name, True, summary + "; every photo whole")


def check_smtp(smtp_url: str | None) -> CheckResult:
    if not smtp_url:
        return CheckResult("SMTP reachable", True, "not configured (ESTATEWALK_SMTP_URL): no e-mail is sent")
    url = urlparse(smtp_url)
    try:
        with smtplib.SMTP(url.hostname or "127.0.0.1", url.port or 25, timeout=10) as smtp:
            code, _ = smtp.noop()
    except (OSError, smtplib.SMTPException) as error:
        return CheckResult("SMTP reachable", False, f"{url.hostname}:{url.port}: {error}")
    return CheckResult("SMTP reachable", code == 250, f"{url.hostname}:{url.port} answered {code}")


def check_replies(settings: Settings) -> CheckResult:
    """Replies by e-mail: a domain and a long enough secret together, and outgoing mail to carry the addresses."""
    from server.replies.addresses import MIN_SECRET_LENGTH

    name = "reply addresses"
    if not settings.reply_domain and not settings.reply_secret:
        return CheckResult(name, True, "not configured (ESTATEWALK_REPLY_DOMAIN): e-mails cannot be answered")
    if not settings.reply_domain or "." not in settings.reply_domain or "@" in settings.reply_domain:
        return CheckResult(name, False, "ESTATEWALK_REPLY_DOMAIN must be a domain name, e.g. replies.council.example")
    if len(settings.reply_secret or "") < MIN_SECRET_LENGTH:
        return CheckResult(name, False, f"ESTATEWALK_REPLY_SECRET must be at least {MIN_SECRET_LENGTH} characters "
                                        "(e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))')")
    if not (getattr(settings, "smtp_url", None) or os.environ.get("ESTATEWALK_SMTP_URL")):
        return CheckResult(name, False, "replies are on but ESTATEWALK_SMTP_URL is not set: nothing carries the "
                                        "reply addresses out")
    if settings.reply_address_days <= 0:
        return CheckResult(name, False, "ESTATEWALK_REPLY_ADDRESS_DAYS must be more than 0")
    return CheckResult(name, True, f"reply+…@{settings.reply_domain}, working {settings.reply_address_days:g} days; "
                                   "the domain's MX must lead to `estatewalk receive-mail` or the IMAP mailbox")


def check_imap(settings: Settings) -> CheckResult:
    """The mailbox replies are fetched from: log in, open the folder, make sure the done folder is there."""
    import imaplib

    from server.replies.poller import ImapTarget, Mailbox

    name = "IMAP mailbox"
    if not settings.imap_url:
        return CheckResult(name, True, "not configured (ESTATEWALK_IMAP_URL): replies come by SMTP/LMTP only")
    if not settings.replies_enabled:
        return CheckResult(name, False, "ESTATEWALK_IMAP_URL is set but replies are off (ESTATEWALK_REPLY_DOMAIN "
                                        "and ESTATEWALK_REPLY_SECRET)")
    try:
        target = ImapTarget.from_url(settings.imap_url)
        box = Mailbox(target, timeout=10)
        try:
            box.open_folders()
            if not box.done_folder_exists():
                return CheckResult(name, False, f"the folder {target.done} for handled replies cannot be created")
            waiting = len(box.uids())
        finally:
            box.close()
    except (OSError, imaplib.IMAP4.error, ValueError) as error:
        return CheckResult(name, False, f"{urlparse(settings.imap_url).hostname}: {error}")
    return CheckResult(name, True, f"{target.username}@{target.host}:{target.port}/{target.folder}: {waiting} "
                                   f"message(s) waiting; handled ones go to {target.done}")


async def run_checks(settings: Settings) -> list[CheckResult]:
    """Everything a deployment needs, each checked on its own so one failure does not hide another."""
    from server.db.engine import close_pool, open_pool, use_database

    engine = use_database(settings)
    database = CheckResult("database reachable", False, "not tried")
    migrations = CheckResult("migrations current", False, "not tried: no database")
    contents = CheckResult("photo store contents", False, "not tried: no database")
    try:
        await open_pool(engine)
        database = await check_database()
        if database.ok:
            migrations = await check_migrations()
        if migrations.ok:
            contents = await check_photo_contents(settings)
    except Exception as error:  # noqa: BLE001
        database = CheckResult("database reachable", False, str(error))
    finally:
        try:
            await close_pool(engine)
        except Exception:  # noqa: BLE001 - the pool never opened
            pass
    smtp_url = getattr(settings, "smtp_url", None) or os.environ.get("ESTATEWALK_SMTP_URL")
    photos, smtp, imap = await asyncio.gather(asyncio.to_thread(check_photo_store, settings),
                                              asyncio.to_thread(check_smtp, smtp_url),
                                              asyncio.to_thread(check_imap, settings))
    return [database, migrations, photos, contents, smtp, check_replies(settings), imap]
