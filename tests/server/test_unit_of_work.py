"""Every writer goes through one unit of work: its rows and their changes commit together, or not at all."""

from pathlib import Path

import pytest

from server.db import tables as t
from server.db.engine import close_pool, migrate, open_pool, use_database
from server.estates import EstateAdmin
from server.settings import Settings

SERVER = Path(__file__).resolve().parents[2] / "server"


@pytest.fixture
async def database(settings: Settings):
    engine = use_database(settings)
    await open_pool(engine)
    try:
        await migrate()
        yield
    finally:
        await close_pool(engine)


async def test_what_a_writer_writes_reaches_the_change_log_when_it_ends(database):
    async with EstateAdmin() as admin:
        estate_id = await admin.create_estate("Larkspur Estate")
        assert await t.ChangeLog.count() == 0  # numbered at the end, not as it goes
    logged = await t.ChangeLog.select(t.ChangeLog.entity_id).where(t.ChangeLog.entity == "estate")
    assert logged == [{"entity_id": str(estate_id)}]


async def test_a_writer_that_fails_half_way_leaves_neither_rows_nor_changes(database):
    with pytest.raises(RuntimeError, match="the power went"):
        async with EstateAdmin() as admin:
            await admin.create_estate("Half-made Estate")
            raise RuntimeError("the power went")
    assert not await t.Estate.exists().where(t.Estate.name == "Half-made Estate")
    assert await t.ChangeLog.count() == 0


def test_no_writer_assembles_its_own_transaction_and_change_recorder():
    # The pull makes a store only to read through it; everything else that records changes uses unit_of_work.
    allowed = {"sync_api/unit_of_work.py", "sync_api/changes.py", "sync_api/routes.py"}
    by_hand = sorted(str(path.relative_to(SERVER)) for path in SERVER.rglob("*.py")
                     if "ChangeRecorder(" in path.read_text() and str(path.relative_to(SERVER)) not in allowed)
    assert by_hand == []
    assert (SERVER / "sync_api/routes.py").read_text().count("ChangeRecorder(") == 1  # the pull's reader
