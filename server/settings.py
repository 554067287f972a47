"""Configuration, read once from the environment into one typed object."""

from __future__ import annotations

import os
from pathlib import Path

from msgspec import Struct


class Settings(Struct, frozen=True):
    data_dir: Path
    """Where the SQLite database and photos live (``ESTATEWALK_DATA``, default ``./var``)."""
    database_url: str | None = None
    """PostgreSQL when set (``DATABASE_URL``); otherwise SQLite in the data directory."""
    demo: bool = False
    """Demo mode: the demo accounts may sign in. Never on a real deployment."""
    session_days: int = 30
    """How long a session lasts unused: phones work offline for days between syncs."""
    max_body_bytes: int = 2 * 1024 * 1024
    """The largest JSON body accepted (photo routes set their own limit)."""
    pwa_dir: Path = Path(__file__).resolve().parent.parent / "pwa"
    max_photo_bytes: int = 25 * 1024 * 1024
    """The largest photo accepted, by PUT or tus. Phones downscale before sending; this is for the odd original."""
    max_photo_pixels: int = 40_000_000
    """Refuse images declaring more pixels than this before decoding them (Pillow's own default is ~89M)."""
    photo_worker_memory_bytes: int = 1024 * 1024 * 1024
    """Address-space ceiling of each photo-processing worker process: a runaway decoder fails there, alone."""
    smtp_url: str | None = None
    """Where e-mail goes (``ESTATEWALK_SMTP_URL``, e.g. ``smtp://127.0.0.1:1025``); no e-mail is sent without it."""
    mail_interval_seconds: float = 30.0
    """How often the server's mail sender looks for e-mail to send (``ESTATEWALK_MAIL_INTERVAL``)."""
    mail_lease_seconds: float = 300.0
    """How long a sender holds an e-mail it is sending before another may take it over
    (``ESTATEWALK_MAIL_LEASE``): after a crash, the e-mail waits this long."""
    upload_expiry_seconds: int = 72 * 3600
    """An unfinished resumable upload is dropped this long after its last byte arrived."""
    replay_days: int = 30
    """How long phones keep changes the server acknowledged, to send them again should the server be restored
    from a backup (``ESTATEWALK_REPLAY_DAYS``). Longer than the time between two backups; told to phones in every
    pull."""
    reply_domain: str | None = None
    """The domain of reply addresses (``ESTATEWALK_REPLY_DOMAIN``, e.g. ``replies.council.example``): with a
    secret, every e-mail carries ``Reply-To: reply+<token>@<domain>`` and replies become comments."""
    reply_secret: str | None = None
    """Signs reply addresses (``ESTATEWALK_REPLY_SECRET``, at least 32 characters). Changing it voids every
    reply address already sent."""
    reply_address_days: float = 30.0
    """How long a reply address works after its e-mail was sent (``ESTATEWALK_REPLY_ADDRESS_DAYS``)."""
    max_reply_bytes: int = 20 * 1024 * 1024
    """The largest reply accepted, photos included, as it travels (``ESTATEWALK_MAX_REPLY_BYTES``)."""
    max_reply_photo_bytes: int = 10 * 1024 * 1024
    """The largest single photo in a reply, decoded."""
    imap_url: str | None = None
    """A mailbox to fetch replies from (``ESTATEWALK_IMAP_URL``,
    ``imaps://user:password@host/INBOX?done=Estatewalk``); see docs/action-plan.md."""
    imap_interval_seconds: float = 60.0
    """How often the server fetches replies from that mailbox (``ESTATEWALK_IMAP_INTERVAL``; 0: only
    ``estatewalk fetch-mail`` does)."""
    photo_store: str | None = None
    """Where photo bytes and unfinished uploads live (``ESTATEWALK_PHOTO_STORE``): ``database`` (shared by every
    app host on one PostgreSQL) or ``files`` (under the data directory). Unset: ``database`` with PostgreSQL (unless
    photos are already on disk), ``files`` with SQLite. See ``photo_store_kind``."""

    @property
    def replies_enabled(self) -> bool:
        """Whether e-mails carry reply addresses: a domain and a secret are both set."""
        return bool(self.reply_domain and self.reply_secret)

    @property
    def photo_store_kind(self) -> str:
        """``database`` or ``files``: the setting, or the default that follows the database."""
        if self.photo_store:
            return self.photo_store
        if self.database_kind != "postgresql":
            return "files"
        # An install that kept its photos on disk before the database store existed goes on serving them from there
        # until someone moves them (`estatewalk photos migrate --to database`): an upgrade never hides a photo.
        if self.photo_dir.is_dir() and any(path.is_file() for path in self.photo_dir.rglob("*")):
            return "files"
        return "database"

    @property
    def database_kind(self) -> str:
        return "postgresql" if self.database_url else "sqlite"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "estatewalk.sqlite3"

    @property
    def photo_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def upload_dir(self) -> Path:
        """Unfinished resumable uploads: scratch space, never served."""
        return self.data_dir / "uploads"

    def with_changes(self, **changes: object) -> "Settings":
        from msgspec.structs import replace

        return replace(self, **changes)


def settings_from_env(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    return Settings(
        data_dir=Path(env.get("ESTATEWALK_DATA", "./var")).resolve(),
        database_url=env.get("DATABASE_URL") or None,
        demo=env.get("ESTATEWALK_DEMO", "") in ("1", "true", "yes"),
        smtp_url=env.get("ESTATEWALK_SMTP_URL") or None,
        mail_interval_seconds=float(env.get("ESTATEWALK_MAIL_INTERVAL") or 30.0),
        mail_lease_seconds=float(env.get("ESTATEWALK_MAIL_LEASE") or 300.0),
        replay_days=int(env.get("ESTATEWALK_REPLAY_DAYS") or 30),
        reply_domain=(env.get("ESTATEWALK_REPLY_DOMAIN") or "").strip().lower() or None,
        reply_secret=env.get("ESTATEWALK_REPLY_SECRET") or None,
        reply_address_days=float(env.get("ESTATEWALK_REPLY_ADDRESS_DAYS") or 30.0),
        max_reply_bytes=int(env.get("ESTATEWALK_MAX_REPLY_BYTES") or 20 * 1024 * 1024),
        imap_url=env.get("ESTATEWALK_IMAP_URL") or None,
        imap_interval_seconds=float(env.get("ESTATEWALK_IMAP_INTERVAL") or 60.0),
        photo_store=_photo_store(env.get("ESTATEWALK_PHOTO_STORE")),
    )


PHOTO_STORES = ("database", "files")


def _photo_store(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    if not value:
        return None
    if value not in PHOTO_STORES:
        raise ValueError(f"ESTATEWALK_PHOTO_STORE must be one of {', '.join(PHOTO_STORES)}, not {value!r}")
    return value
