"""State that every host shares, raced the way two hosts race: two transactions at once on one PostgreSQL."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from server.db import tables as t
from server.db.engine import close_pool, current_engine, migrate, open_pool, use_database
from server.notify.outbox import insert_once, outbox_row
from server.settings import Settings

pytestmark = pytest.mark.postgres


async def _wait_until_blocked(dsn: str) -> None:
    """Until some other session of this database waits for a lock (bounded)."""
    watcher = await asyncpg.connect(dsn)
    try:
        for _ in range(600):
            waiting = await watcher.fetchval(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
            if waiting:
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the second insert never waited for the first")
    finally:
        await watcher.close()


async def test_two_hosts_queueing_the_same_digest_at_once_leave_one_and_the_loser_knows(
        postgres_url: str, tmp_path) -> None:
    """Both read "not queued yet"; the second INSERT waits on the first's unique key and then does nothing.

    It must say so: a caller told "inserted" hangs reply addresses and digest lines on a row that is not there.
    """
    engine = use_database(Settings(data_dir=tmp_path, database_url=postgres_url))
    await open_pool(engine)
    try:
        await migrate()
        first_inserted = asyncio.Event()
        first_may_commit = asyncio.Event()
        outcome: dict[str, bool] = {}

        async def host(name: str) -> None:
            row = outbox_row(dedupe_key="digest:someone:2026-12-07", user_id=None, to_address="a@example.test",
                             subject=f"from {name}", body="", kind="digest")
            async with current_engine().transaction():
                if name == "host 2":
                    await first_inserted.wait()
                outcome[name] = await insert_once(row)
                if name == "host 1":
                    first_inserted.set()
                    await first_may_commit.wait()

        async def release_once_host_2_waits() -> None:
            await first_inserted.wait()
            await _wait_until_blocked(postgres_url)
            first_may_commit.set()

        await asyncio.gather(host("host 1"), host("host 2"), release_once_host_2_waits())
        assert outcome == {"host 1": True, "host 2": False}
        rows = await t.MailOutbox.select(t.MailOutbox.subject)
        assert [row["subject"] for row in rows] == ["from host 1"]
    finally:
        await close_pool(engine)


async def test_two_hosts_storing_the_same_photo_at_once_both_succeed_and_leave_it_whole(
        postgres_url: str, tmp_path) -> None:
    """Content addressing makes two hosts write the same key with the same bytes; neither may fail or tear it."""
    from server.photos.storage import DatabasePhotoStorage, photo_key

    engine = use_database(Settings(data_dir=tmp_path, database_url=postgres_url))
    await open_pool(engine)
    try:
        await migrate()
        key = photo_key("original", "cd" + "1" * 62)
        data = bytes(range(256)) * 4000  # 1 MB: a few batches of 4 KiB chunks below
        host1, host2 = DatabasePhotoStorage(chunk_size=4096), DatabasePhotoStorage(chunk_size=4096)
        await asyncio.gather(*[store.put(key, data) for store in (host1, host2, host1, host2)])
        assert await host2.get(key) == data
        assert await t.PhotoChunk.count().where(t.PhotoChunk.blob_key == key) == -(-len(data) // 4096)
    finally:
        await close_pool(engine)
