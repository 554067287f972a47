"""The ``estatewalk`` command: serve, migrate, load demo data, manage people."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Awaitable, Callable

from server.settings import Settings, settings_from_env

ENVIRONMENT_HELP = """
environment:
  ESTATEWALK_DATA   data directory: the SQLite database and photos (default ./var)
  DATABASE_URL      postgresql://user@host/db to use PostgreSQL instead of SQLite
  ESTATEWALK_SMTP_URL  smtp://host:port of the mail server for notifications
  ESTATEWALK_REPLY_DOMAIN, ESTATEWALK_REPLY_SECRET  turn on replies by e-mail (reply+<token>@domain)
  ESTATEWALK_IMAP_URL  imaps://user:password@host/INBOX?done=Estatewalk, a mailbox to fetch replies from
  ESTATEWALK_PHOTO_STORE  database or files: where photo bytes live (default: database with PostgreSQL,
                    files with SQLite); several app hosts need database
"""


def _with_database(settings: Settings, job: Callable[[], Awaitable[int]]) -> int:
    from server.db.engine import close_pool, migrate, open_pool, use_database

    async def run() -> int:
        engine = use_database(settings)
        await open_pool(engine)
        try:
            await migrate()
            return await job()
        finally:
            await close_pool(engine)

    return asyncio.run(run())


def serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from server.app import create_app

    if args.demo:
        settings = settings.with_changes(demo=True)
        # Worker processes build their own app from the environment.
        os.environ["ESTATEWALK_DEMO"] = "1"
        print("Demo mode: the demo accounts (password 'demo') can sign in. Never use this for real data.")
    print(f"Estatewalk on http://{args.host}:{args.port}/ with {settings.database_kind} "
          f"(data in {settings.data_dir}), {args.workers} worker(s)", flush=True)
    if args.workers == 1:
        uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level=args.log_level,
                    proxy_headers=args.proxy_headers, forwarded_allow_ips=args.forwarded_allow_ips)
        return 0

    # Migrate and load demo data once, here, so that workers starting together do not race to do it.
    async def prepare() -> int:
        if settings.demo:
            from server.demo import load_demo_data

            await load_demo_data()
        return 0

    _with_database(settings, prepare)
    uvicorn.run("server.app:create_app", factory=True, workers=args.workers, host=args.host, port=args.port,
                log_level=args.log_level, proxy_headers=args.proxy_headers,
                forwarded_allow_ips=args.forwarded_allow_ips)
    return 0


def check_command(args: argparse.Namespace, settings: Settings) -> int:
    from server.operations import run_checks

    results = asyncio.run(run_checks(settings))
    for result in results:
        print(f"{'ok  ' if result.ok else 'FAIL'}  {result.name}: {result.detail}")
    return 0 if all(result.ok for result in results) else 1


def photos_command(args: argparse.Namespace, settings: Settings) -> int:
    import datetime as dt

    from server.photos.moving import move_photos, sweep_unreferenced

    if args.action == "sweep":
        async def sweep() -> int:
            removed = await sweep_unreferenced(settings, dt.timedelta(hours=args.older_than_hours))
            print(f"Removed {len(removed)} stored value(s) no photo names, older than {args.older_than_hours:g} "
                  f"hour(s), from the {settings.photo_store_kind} store.")
            return 0

        return _with_database(settings, sweep)
    if not args.to:
        print("photos migrate needs --to database or --to files", file=sys.stderr)
        return 2

    async def job() -> int:
        source = "files" if args.to == "database" else "database"
        print(f"Copying photos from the {source} store to the {args.to} store (the source is left as it is)...",
              flush=True)
        report = await move_photos(settings, args.to, say=lambda line: print(line, flush=True))
        print(f"Copied {report.copied} value(s) ({report.bytes_copied / 1024 / 1024:.1f} MiB), "
              f"{report.already_there} already there and verified.")
        if report.missing:
            print(f"{len(report.missing)} value(s) the source does not hold (phones send them again when asked): "
                  + ", ".join(report.missing[:5]), file=sys.stderr)
        if report.mismatched:
            print(f"{len(report.mismatched)} value(s) failed their hash check; run this again: "
                  + ", ".join(report.mismatched[:5]), file=sys.stderr)
            return 1
        if settings.photo_store_kind != args.to:
            print(f"Now set ESTATEWALK_PHOTO_STORE={args.to} on every host and restart them.")
        return 0

    return _with_database(settings, job)


def migrate_command(args: argparse.Namespace, settings: Settings) -> int:
    async def job() -> int:
        print(f"Database is up to date ({settings.database_kind}).")
        return 0

    return _with_database(settings, job)


def demo_command(args: argparse.Namespace, settings: Settings) -> int:
    from server.demo import load_demo_data

    async def job() -> int:
        loaded = await load_demo_data()
        print("Demo data loaded." if loaded else "Demo data was already there.")
        print("Accounts (password 'demo', only on a server started with 'serve --demo'): "
              "staff@demo.test, rep@demo.test, rep2@demo.test, contractor@demo.test")
        return 0

    return _with_database(settings, job)


def user_command(args: argparse.Namespace, settings: Settings) -> int:
    from server.auth.password_policy import PasswordRefused, check_password
    from server.estates import EstateAdmin, find_estate, find_user

    password = args.password or os.environ.get("ESTATEWALK_PASSWORD")
    if password is None and sys.stdin.isatty() and not args.remove:
        password = getpass.getpass(f"Password for {args.email}: ")

    async def job() -> int:
        user_id = await find_user(args.email)
        async with EstateAdmin() as admin:
            if args.remove:
                estate_id = await find_estate(args.estate or "")
                if user_id is None or estate_id is None or not await admin.remove_member(user_id, estate_id):
                    print(f"{args.email} is not a member of {args.estate}.", file=sys.stderr)
                    return 2
                print(f"{args.email} is no longer a member of {args.estate}.")
                return 0
            if user_id is None:
                if not password:
                    print("A new person needs a password (--password or ESTATEWALK_PASSWORD).", file=sys.stderr)
                    return 2
                try:
                    check_password(password, args.email)
                except PasswordRefused as refusal:
                    print(f"Password refused: {refusal}.", file=sys.stderr)
                    return 2
                user_id = await admin.create_user(args.email, args.name or args.email, password)
                print(f"Created {args.email}.")
            elif args.password is not None:
                # Only an explicit --password changes an existing person's (an ESTATEWALK_PASSWORD left in the
                # environment of a script that adds memberships must not reset it at every run).
                try:
                    check_password(args.password, args.email)
                except PasswordRefused as refusal:
                    print(f"Password not changed: {refusal}.", file=sys.stderr)
                    return 2
                ended = await admin.set_password(user_id, args.password)
                print(f"Changed the password of {args.email}; {ended} signed-in session(s) ended.")
            if args.estate:
                estate_id = await find_estate(args.estate)
                if estate_id is None:
                    if not args.create_estate:
                        print(f"No estate '{args.estate}' (add --create-estate to create it).", file=sys.stderr)
                        return 2
                    estate_id = await admin.create_estate(args.estate)
                    print(f"Created estate {args.estate} ({estate_id}).")
                await admin.add_member(user_id, estate_id, args.role)
                print(f"{args.email} is now {args.role} on {args.estate}.")
        return 0

    return _with_database(settings, job)


def send_mail_command(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.smtp_url:
        print("Set ESTATEWALK_SMTP_URL (e.g. smtp://127.0.0.1:1025) to send e-mail.", file=sys.stderr)
        return 2

    async def job() -> int:
        from server.notify.digests import build_digests
        from server.notify.sender import MailSender
        from server.replies.addresses import ReplyKeys

        sender = MailSender(settings.smtp_url or "", lease_seconds=args.lease, retry_base_seconds=args.retry_after,
                            replies=ReplyKeys.from_settings(settings))
        queued = 0 if args.no_digests else await build_digests()
        report = await sender.send_due()
        print(f"Digests queued: {queued}. E-mails sent: {report.sent}, to retry: {report.retrying}, "
              f"given up: {report.failed}.")
        return 0 if not (report.retrying or report.failed) else 1

    return _with_database(settings, job)


def receive_mail_command(args: argparse.Namespace, settings: Settings) -> int:
    from server.replies.receiver import serve as receive

    if not settings.replies_enabled:
        print("Set ESTATEWALK_REPLY_DOMAIN and ESTATEWALK_REPLY_SECRET to receive replies.", file=sys.stderr)
        return 2
    host, _, port = args.listen.rpartition(":")
    if not host or not port.isdigit():
        print(f"--listen needs HOST:PORT, not {args.listen}", file=sys.stderr)
        return 2

    import logging

    # One line per message taken in (estatewalk.replies); aiosmtpd's own per-command lines only when debugging.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)

    async def job() -> int:
        print(f"Receiving replies to reply+…@{settings.reply_domain} by {'LMTP' if args.lmtp else 'SMTP'} on "
              f"{host}:{port}", flush=True)
        await receive(settings, host.strip("[]"), int(port), lmtp=args.lmtp)
        return 0

    try:
        return _with_database(settings, job)
    except KeyboardInterrupt:
        return 0


def fetch_mail_command(args: argparse.Namespace, settings: Settings) -> int:
    import imaplib

    from server.replies.poller import fetch_once

    if not settings.replies_enabled or not settings.imap_url:
        print("Set ESTATEWALK_IMAP_URL, ESTATEWALK_REPLY_DOMAIN and ESTATEWALK_REPLY_SECRET to fetch replies.",
              file=sys.stderr)
        return 2

    async def job() -> int:
        try:
            report = await fetch_once(settings)
        except (OSError, imaplib.IMAP4.error, ValueError) as error:
            print(f"The mailbox could not be read: {error}", file=sys.stderr)
            return 1
        print(report.line())
        return 1 if report.left else 0

    return _with_database(settings, job)


def person_command(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from server.estates import find_user
    from server.people.service import erase_person, export_person, record_export

    async def job() -> int:
        user_id = await find_user(args.email)
        if user_id is None:
            print(f"No person with the e-mail {args.email}.", file=sys.stderr)
            return 2
        if args.action == "export":
            data = await export_person(user_id)
            await record_export(user_id, None)
            print(json.dumps(data, indent=2, ensure_ascii=False))
            return 0
        if not args.yes:
            print("Erasing cannot be undone: add --yes.", file=sys.stderr)
            return 2
        await erase_person(user_id)
        print(f"Erased {args.email}: shown as a former member from now on; sessions ended.")
        return 0

    return _with_database(settings, job)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="estatewalk",
        description="Estatewalk: joint estate inspections for staff and residents. "
                    "Runs the sync server and phone app, and manages its data.",
        epilog=ENVIRONMENT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("serve", help="run the server (applies migrations first)",
                            description="Run the sync server and serve the phone app. Migrations are applied "
                                        "at start.", epilog=ENVIRONMENT_HELP,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    p.add_argument("--demo", action="store_true",
                   help="load the demo estates and let the demo accounts (password 'demo') sign in")
    p.add_argument("--workers", type=int, default=1,
                   help="worker processes (default 1; use several with PostgreSQL in production)")
    p.add_argument("--proxy-headers", action="store_true",
                   help="trust X-Forwarded-For/-Proto from the reverse proxy (see docs/deploy.md)")
    p.add_argument("--forwarded-allow-ips", default="127.0.0.1",
                   help="addresses of the reverse proxy whose forwarded headers are trusted (default 127.0.0.1)")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.set_defaults(run=serve)

    p = commands.add_parser("check", help="verify a deployment: database, migrations, photo store, mail in and out",
                            description="Check that the database answers, every migration is applied, the photo "
                                        "store is writable, the SMTP server (if configured) answers, reply "
                                        "addresses are configured soundly and the IMAP mailbox (if configured) "
                                        "can be read. Exits 1 if any check fails.", epilog=ENVIRONMENT_HELP,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(run=check_command)

    p = commands.add_parser("photos", help="move photos between the database and files stores; sweep stray bytes",
                            description="migrate --to database|files: copy every photo (originals, display "
                                        "variants, thumbnails) from the other store into this one, verifying each "
                                        "one's SHA-256 after writing it. The source is left untouched. Safe to "
                                        "interrupt and run again: what is there and verified is skipped. Exits 1 "
                                        "if any value failed its check. sweep: remove bytes that no photo names "
                                        "(left by an upload that crashed half-way), once old enough; safe from "
                                        "cron on any host.", epilog=ENVIRONMENT_HELP,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", choices=["migrate", "sweep"])
    p.add_argument("--to", choices=["database", "files"], help="migrate: the store to copy into")
    p.add_argument("--older-than-hours", type=float, default=24.0,
                   help="sweep: only bytes written at least this long ago (default 24)")
    p.set_defaults(run=photos_command)

    p = commands.add_parser("migrate", help="bring the database schema up to date",
                            description="Apply every migration not yet applied, then exit.")
    p.set_defaults(run=migrate_command)

    p = commands.add_parser("demo", help="load the demo estates, issues and accounts",
                            description="Load two demo estates with blocks, a past inspection, a dozen issues "
                                        "and four demo accounts. Does nothing if they are already there.")
    p.set_defaults(run=demo_command)

    p = commands.add_parser("send-mail", help="send the e-mail waiting in the outbox, once",
                            description="Build today's digests if not built yet, then send every e-mail that is "
                                        "due, and exit (1 if some could not be sent: they are retried later). "
                                        "The server does this in the background when ESTATEWALK_SMTP_URL is set; "
                                        "running both at once is safe.", epilog=ENVIRONMENT_HELP,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--retry-after", type=float, default=30.0,
                   help="seconds before the first retry of a failed e-mail; doubles each time (default 30)")
    p.add_argument("--lease", type=float, default=300.0,
                   help="seconds an e-mail stays claimed by this sender before another may take it (default 300)")
    p.add_argument("--no-digests", action="store_true", help="only send, do not build digests")
    p.set_defaults(run=send_mail_command)

    p = commands.add_parser("receive-mail", help="receive replies by e-mail (SMTP or LMTP), until stopped",
                            description="Listen for replies to reply+…@<reply domain> handed over by the mail "
                                        "server (see docs/action-plan.md, Replies by e-mail): each becomes a "
                                        "comment on its issue, or is kept in the quarantine with the reason.",
                            epilog=ENVIRONMENT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--listen", default="127.0.0.1:2525", help="HOST:PORT to listen on (default 127.0.0.1:2525)")
    p.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")
    p.set_defaults(run=receive_mail_command)

    p = commands.add_parser("fetch-mail", help="fetch replies from the IMAP mailbox, once",
                            description="Read the folder named in ESTATEWALK_IMAP_URL, take each reply in (a "
                                        "comment, or the quarantine) and move it to the done folder. Safe from "
                                        "cron and beside the server's own fetching: each message is taken once. "
                                        "Exits 1 if some must be tried again.",
                            epilog=ENVIRONMENT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(run=fetch_mail_command)

    p = commands.add_parser("user", help="create a person and/or give them a role on an estate",
                            description="Create a person (if the e-mail is new) and add them to an estate with "
                                        "a role. Example: estatewalk user amina@example.org --name 'Amina Yusuf' "
                                        "--estate 'Larkspur Estate' --role tra_rep")
    p.add_argument("email", help="their e-mail address (it is how they sign in)")
    p.add_argument("--name", help="their name as others will see it")
    p.add_argument("--password", help="their password (or set ESTATEWALK_PASSWORD, or be asked); for a person "
                                      "who exists already, --password changes it and ends their sessions")
    p.add_argument("--estate", help="estate name or id to add them to")
    p.add_argument("--role", default="tra_rep", choices=["staff", "tra_rep", "contractor"],
                   help="their role on that estate (default tra_rep)")
    p.add_argument("--create-estate", action="store_true", help="create the estate if there is none by that name")
    p.add_argument("--remove", action="store_true", help="take them off that estate instead (they keep their account)")
    p.set_defaults(run=user_command)

    p = commands.add_parser("person", help="export (JSON) or erase what is held about a person",
                            description="export: print everything held about a person as JSON (a subject access "
                                        "request). erase: anonymise them ('Former resident'), keeping issue "
                                        "history readable; their e-mail, name, password and sessions go.")
    p.add_argument("action", choices=["export", "erase"])
    p.add_argument("email", help="their e-mail address")
    p.add_argument("--yes", action="store_true", help="confirm an erasure")
    p.set_defaults(run=person_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = settings_from_env()
    except ValueError as error:  # a setting with a value it cannot have: say which, not a traceback
        print(f"estatewalk: {error}", file=sys.stderr)
        return 2
    return args.run(args, settings)


if __name__ == "__main__":
    sys.exit(main())
