"""Choosing, opening and migrating the database.

SQLite in the data directory is the embedded default; ``DATABASE_URL`` selects PostgreSQL. Piccolo normally
finds its engine once through ``piccolo_conf``; ``use_database`` rebinds every table instead, so one process
(a test run) can move between databases.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import sqlite3
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from server.db.sqlite_engine import OneHopSQLiteEngine
from server.settings import Settings

os.environ.setdefault("PICCOLO_CONF", "server.db.piccolo_conf")

#: Seconds a SQLite writer waits for another to finish before giving up.
SQLITE_BUSY_TIMEOUT = 30


def engine_for(settings: Settings) -> Engine:
    if settings.database_url:
        return PostgresEngine(config={"dsn": settings.database_url})
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return OneHopSQLiteEngine(path=str(settings.sqlite_path), timeout=SQLITE_BUSY_TIMEOUT)


def use_database(settings: Settings) -> Engine:
    """Bind every table, and Piccolo's own migration table, to the database the settings name."""
    from piccolo.apps.migrations.tables import Migration

    from server.db import piccolo_conf
    from server.db.tables import ALL_TABLES

    engine = engine_for(settings)
    if isinstance(engine, SQLiteEngine):
        # WAL lets phones pull while another push writes; the setting is kept in the database file.
        with contextlib.closing(sqlite3.connect(settings.sqlite_path)) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
    piccolo_conf.DB = engine
    for table in [*ALL_TABLES, Migration]:
        table._meta.db = engine
    return engine


def current_engine() -> Engine:
    from server.db import piccolo_conf

    return piccolo_conf.DB


class _TaskReentrantLock:
    """An asyncio lock the task holding it may take again (write transactions nest)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task | None = None
        self._depth = 0
        self.waiting = 0

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if self._owner is not task:
            self.waiting += 1
            try:
                await self._lock.acquire()
            finally:
                self.waiting -= 1
            self._owner = task
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._lock.release()


_sqlite_writers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _TaskReentrantLock]" = (
    weakref.WeakKeyDictionary())


def sqlite_writers_waiting() -> int:
    """How many writers of this process queue for SQLite's write lock right now (tests watch it)."""
    return sum(writers.waiting for writers in list(_sqlite_writers.values()))


@contextlib.asynccontextmanager
async def write_transaction(engine: Engine) -> AsyncIterator[Any]:
    """A transaction that will write.

    On SQLite it takes the write lock up front (``BEGIN IMMEDIATE``: no deadlock when a reader upgrades), and
    writers of this process queue in order on an asyncio lock first. SQLite's own busy handler polls with
    sleeps and favours no one: under a hundred phones pushing at once, some waited past the busy timeout and
    failed while others went round again and again.
    """
    if not isinstance(engine, SQLiteEngine):
        async with engine.transaction() as transaction:
            yield transaction
        return
    loop = asyncio.get_running_loop()
    writers = _sqlite_writers.get(loop)
    if writers is None:
        writers = _sqlite_writers[loop] = _TaskReentrantLock()
    async with writers.held():
        async with engine.transaction(transaction_type=TransactionType.immediate) as transaction:
            yield transaction


#: Any fixed number: the PostgreSQL advisory lock that lets one process at a time migrate.
_MIGRATION_LOCK = 7_215_004_311


async def migrate(quiet: bool = True) -> None:
    """Apply every migration not yet applied. Safe to run at every start, from several processes at once."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    async with _migration_lock():
        output = io.StringIO()
        with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
            result = await run_forwards(app_name="all")
        if not result.success:
            raise RuntimeError(f"migrations failed: {result.message}\n{output.getvalue()}")
        await _ensure_counter_row()
        await ensure_server_secret()


@contextlib.asynccontextmanager
async def _migration_lock() -> AsyncIterator[None]:
    """Workers of one deployment start together: without this they would race to create the same tables."""
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        import asyncpg

        connection = await asyncpg.connect(engine.config["dsn"])
        try:
            await connection.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
            yield
        finally:
            await connection.close()  # closing the session releases the lock
        return
    import fcntl

    lock_path = Path(engine.path).with_suffix(".migrate-lock")
    with open(lock_path, "w") as handle:
        await asyncio.to_thread(fcntl.flock, handle, fcntl.LOCK_EX)
        yield


async def _ensure_counter_row() -> None:
    from server.db.tables import ChangeCounter

    if not await ChangeCounter.exists().where(ChangeCounter.id == 1):
        try:
            await ChangeCounter.insert(ChangeCounter(id=1, version=0))
        except Exception:
            # Another process inserted it first.
            if not await ChangeCounter.exists().where(ChangeCounter.id == 1):
                raise


async def ensure_server_secret() -> None:
    """The one row of ``server_secret`` (its migration makes it; this mends a database restored without it)."""
    import datetime as dt
    import secrets

    from server.db.tables import ServerSecret

    if not await ServerSecret.exists().where(ServerSecret.id == 1):
        try:
            await ServerSecret.insert(ServerSecret(id=1, secret=secrets.token_hex(32),
                                                   created_at=dt.datetime.now(dt.timezone.utc)))
        except Exception:
            # Another process made it first: theirs stands, and every process reads the same row.
            if not await ServerSecret.exists().where(ServerSecret.id == 1):
                raise


async def open_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10)


async def close_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
