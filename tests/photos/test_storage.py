"""The filesystem photo storage: atomic writes, no stray files, no way out of its directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.photos.storage import FilesystemPhotoStorage, photo_key
from tests.photos.conftest import files_under

SHA = "ab" + "0" * 62


async def test_put_get_exists_delete(tmp_path: Path) -> None:
    storage = FilesystemPhotoStorage(tmp_path)
    key = photo_key("display", SHA)
    assert not await storage.exists(key)
    assert await storage.get(key) is None
    await storage.put(key, b"first")
    await storage.put(key, b"second")  # replaced whole
    assert await storage.get(key) == b"second"
    assert files_under(tmp_path) == [tmp_path / "display" / "ab" / SHA]  # no temp files left over
    await storage.delete(key)
    assert not await storage.exists(key)
    await storage.delete(key)  # deleting twice is fine


async def test_a_failed_write_leaves_neither_the_file_nor_a_temp_file(tmp_path: Path) -> None:
    storage = FilesystemPhotoStorage(tmp_path)


    with pytest.raises(TypeError):
        await storage.put(photo_key("thumb", SHA), "not bytes")  # type: ignore[arg-type]
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("key", ["../escape", "original/ab/../../x", "/etc/passwd", "original/ab/" + "g" * 64,
                                 "display/ab/" + SHA + ".tmp"])
async def test_keys_cannot_name_anything_but_a_photo(tmp_path: Path, key: str) -> None:
    storage = FilesystemPhotoStorage(tmp_path)
    with pytest.raises(ValueError):
        await storage.put(key, b"x")


@pytest.mark.parametrize("sha", ["", "../" + "a" * 61, "A" * 64, "a" * 63])
def test_photo_keys_only_come_from_real_sha256s(sha: str) -> None:
    with pytest.raises(ValueError):
        photo_key("original", sha)


# --- the database store ------------------------------------------------------------------------------------------

@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def a_database(request: pytest.FixtureRequest, tmp_path: Path):
    """Settings for a fresh database of each kind (the photo store does not matter here)."""
    from server.settings import Settings

    database_url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
async def database_storage(a_database):
    """The database photo store, on a migrated database of each kind (used from this test's own event loop)."""
    from server.db.engine import close_pool, migrate, open_pool, use_database
    from server.photos.storage import DatabasePhotoStorage

    engine = use_database(a_database)
    await open_pool(engine)
    await migrate()
    try:
        yield DatabasePhotoStorage(chunk_size=1000)
    finally:
        await close_pool(engine)


async def test_the_database_store_keeps_values_in_chunks_and_streams_any_part(database_storage) -> None:
    from server.db import tables as t

    storage = database_storage
    key = photo_key("original", SHA)
    data = bytes(range(256)) * 17 + b"tail"  # 4356 bytes: four whole chunks and a part
    assert await storage.get(key) is None and await storage.size(key) is None
    await storage.put(key, b"an older value, replaced whole")
    await storage.put(key, data)
    assert await storage.get(key) == data
    assert await storage.size(key) == len(data)
    chunks = await t.PhotoChunk.select(t.PhotoChunk.seq, t.PhotoChunk.data).where(t.PhotoChunk.blob_key == key)
    assert sorted(c["seq"] for c in chunks) == [0, 1, 2, 3, 4]
    assert max(len(c["data"]) for c in chunks) == 1000  # no value holds the whole photo
    for start, end in [(0, len(data)), (0, 1), (999, 1001), (1500, 4356), (4000, 4356), (3, 3)]:
        assert b"".join([p async for p in storage.stream(key, start, end)]) == data[start:end], (start, end)
    await storage.put(photo_key("thumb", SHA), b"")
    assert await storage.get(photo_key("thumb", SHA)) == b""
    assert [k async for k in storage.keys()] == [key, photo_key("thumb", SHA)]
    await storage.delete(key)
    await storage.delete(key)
    assert not await storage.exists(key)
    assert await t.PhotoChunk.count().where(t.PhotoChunk.blob_key == key) == 0


async def test_the_database_store_refuses_what_is_not_a_photo_key(database_storage) -> None:
    with pytest.raises(ValueError):
        await database_storage.put("../escape", b"x")
    with pytest.raises(TypeError):
        await database_storage.put(photo_key("thumb", SHA), "not bytes")  # type: ignore[arg-type]
    assert [k async for k in database_storage.keys()] == []
