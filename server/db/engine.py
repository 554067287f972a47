"""Choosing, opening and migrating the database.

SQLite in the data directory is the embedded default; ``DATABASE_URL`` selects PostgreSQL. Piccolo normally
finds its engine once through ``piccolo_conf``; ``use_database`` rebinds every table instead, so one process
(a test run) can move between databases.
"""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from server.settings import Settings

os.environ.setdefault("PICCOLO_CONF", "server.db.piccolo_conf")

#: Seconds a SQLite writer waits for another to finish before giving up.
SQLITE_BUSY_TIMEOUT = 30


def engine_for(settings: Settings) -> Engine:
    if settings.database_url:
        return PostgresEngine(config={"dsn": settings.database_url})
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SQLiteEngine(path=str(settings.sqlite_path), timeout=SQLITE_BUSY_TIMEOUT)


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


def write_transaction(engine: Engine) -> Any:
    """A transaction that will write: on SQLite, take the write lock up front (no deadlock on upgrade)."""
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def migrate(quiet: bool = True) -> None:
    """Apply every migration not yet applied. Safe to run at every start, from several processes."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    output = io.StringIO()
    with contextlib.redirect_stdout(output) if quiet else contextlib.nullcontext():
        result = await run_forwards(app_name="all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{output.getvalue()}")
    await _ensure_counter_row()


async def _ensure_counter_row() -> None:
    from server.db.tables import ChangeCounter

    if not await ChangeCounter.exists().where(ChangeCounter.id == 1):
        try:
            await ChangeCounter.insert(ChangeCounter(id=1, version=0))
        except Exception:
            # Another process inserted it first.
            if not await ChangeCounter.exists().where(ChangeCounter.id == 1):
                raise


async def open_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10)


async def close_pool(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
