"""``estatewalk photos migrate`` between the stores, and ``estatewalk check`` reporting the store's health."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from server.app import create_app
from server.photos.storage import photo_key
from server.settings import Settings
from tests.conftest import Person, run_cli
from tests.photos.conftest import _in_app, fetch, photo_on_issue, stored_keys
from tests.photos.images import phone_photo, sha256


def other(store: str) -> str:
    return "database" if store == "files" else "files"


async def test_photos_move_to_the_other_store_verified_and_a_rerun_mends_what_an_interruption_left(
        as_rep: Person, as_staff: Person, settings: Settings) -> None:
    from server.photos.moving import store_named

    photos = [phone_photo(seed=50), phone_photo(seed=51)]
    for data in photos:
        await photo_on_issue(as_rep, data)
    target_kind = other(settings.photo_store_kind)

    moved = run_cli(settings, "photos", "migrate", "--to", target_kind)
    assert moved.returncode == 0, moved.stderr
    assert "Copied 6 value(s)" in moved.stdout
    target_settings = settings.with_changes(photo_store=target_kind)
    assert await stored_keys(as_rep.http, target_settings) == await stored_keys(as_rep.http, settings)

    # As if the last run had been interrupted: one value never written, another torn (wrong bytes).
    lost, torn = photo_key("thumb", sha256(photos[0])), photo_key("original", sha256(photos[1]))

    async def interrupt() -> None:
        target = store_named(settings, target_kind)
        await target.delete(lost)
        await target.put(torn, b"half a photo")

    await _in_app(as_rep.http, interrupt)
    again = run_cli(settings, "photos", "migrate", "--to", target_kind)
    assert again.returncode == 0, again.stderr
    assert "Copied 2 value(s)" in again.stdout and "4 already there" in again.stdout, again.stdout
    third = run_cli(settings, "photos", "migrate", "--to", target_kind)
    assert "Copied 0 value(s)" in third.stdout and "6 already there" in third.stdout, third.stdout

    # A server on the new store serves every photo, identical.
    async with AsyncTestClient(app=create_app(target_settings)) as http:
        staff = await Person(http, "staff@demo.test").sign_in()
        for data in photos:
            answer = await fetch(staff, sha256(data), "original")
            assert (answer.status_code, answer.content) == (200, data)

    checked = run_cli(target_settings, "check")
    line = next(x for x in checked.stdout.splitlines() if "photo store contents" in x)
    assert line.startswith("ok") and f"{target_kind}: 2 photo(s), 6 stored value(s)" in line, checked.stdout

    async def lose_one() -> None:
        await store_named(settings, target_kind).delete(photo_key("display", sha256(photos[1])))

    await _in_app(as_rep.http, lose_one)
    checked = run_cli(target_settings, "check")
    line = next(x for x in checked.stdout.splitlines() if "photo store contents" in x)
    assert line.startswith("FAIL") and "1 incomplete" in line and sha256(photos[1])[:20] in line, checked.stdout
    assert checked.returncode == 1


async def test_migrating_with_nothing_to_move_says_so(client, settings: Settings) -> None:
    moved = run_cli(settings, "photos", "migrate", "--to", other(settings.photo_store_kind))
    assert moved.returncode == 0, moved.stderr
    assert "Copied 0 value(s)" in moved.stdout
    refused = run_cli(settings, "photos", "migrate", "--to", "s3")
    assert refused.returncode == 2 and "invalid choice" in refused.stderr


async def test_bytes_no_photo_names_are_swept_once_old_enough(as_rep: Person, settings: Settings) -> None:
    from server.photos.moving import store_named

    kept = phone_photo(seed=52)
    await photo_on_issue(as_rep, kept)
    stray = photo_key("original", "ee" + "7" * 62)  # as if an upload crashed between its bytes and its row

    async def leave_stray() -> None:
        await store_named(settings, settings.photo_store_kind).put(stray, b"bytes nobody will ever name")

    await _in_app(as_rep.http, leave_stray)
    young = run_cli(settings, "photos", "sweep")
    assert young.returncode == 0, young.stderr
    assert "Removed 0 stored value(s)" in young.stdout  # written moments ago: perhaps an upload on its way
    assert stray in await stored_keys(as_rep.http, settings)

    swept = run_cli(settings, "photos", "sweep", "--older-than-hours", "0")
    assert "Removed 1 stored value(s)" in swept.stdout, swept.stdout + swept.stderr
    keys = await stored_keys(as_rep.http, settings)
    assert stray not in keys
    assert sorted(key.split("/")[0] for key in keys) == ["display", "original", "thumb"]
    answer = await fetch(as_rep, sha256(kept), "display")
    assert answer.status_code == 200


def test_a_photo_store_that_does_not_exist_is_named_not_a_traceback(tmp_path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "ESTATEWALK_DATA": str(tmp_path), "ESTATEWALK_PHOTO_STORE": "s3"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "server.cli", "check"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert "ESTATEWALK_PHOTO_STORE must be one of database, files, not 's3'" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_store_follows_the_database_but_an_upgraded_install_keeps_the_photos_it_has_on_disk(tmp_path) -> None:
    from server.settings import settings_from_env

    postgres = {"ESTATEWALK_DATA": str(tmp_path), "DATABASE_URL": "postgresql://postgres@127.0.0.1/estatewalk"}
    assert settings_from_env({"ESTATEWALK_DATA": str(tmp_path)}).photo_store_kind == "files"
    assert settings_from_env(postgres).photo_store_kind == "database"
    (tmp_path / "photos" / "ab").mkdir(parents=True)
    assert settings_from_env(postgres).photo_store_kind == "database", "an empty folder holds no photo"
    (tmp_path / "photos" / "ab" / ("ab" + "0" * 62)).write_bytes(b"jpeg bytes")
    assert settings_from_env(postgres).photo_store_kind == "files"
    assert settings_from_env({**postgres, "ESTATEWALK_PHOTO_STORE": "database"}).photo_store_kind == "database"
