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
