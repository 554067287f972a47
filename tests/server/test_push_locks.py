"""On PostgreSQL, pushes wait only for pushes that touch the same estate, person or phone.

A push on another estate holds its locks open here (a second connection, as a long push would): a push on a
different estate goes through at once, one on the same estate waits until it ends, and a writer that cannot
say what it touches waits for every push in flight.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from server.settings import Settings
from server.sync_api.push_locks import GLOBAL_KEY, lock_key
from tests.conftest import Person, new_issue_args, serve_in_thread

pytestmark = pytest.mark.postgres

#: Long enough for a push that is not held back to have finished many times over on this machine.
HELD_FOR_SECONDS = 3.0


@pytest.fixture
async def app_on_postgresql(postgres_url: str, tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    """The real server in a thread of its own (the test client would answer one request at a time, in step
    with the test, so a push could never be seen waiting)."""
    settings = Settings(data_dir=tmp_path / "data", database_url=postgres_url, demo=True)
    with serve_in_thread(settings) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=120) as client:
            yield client


@pytest.fixture
async def push_in_flight(postgres_url: str) -> AsyncIterator:
    """Take the locks a push on the given estate holds, on a connection of its own, until released."""
    connections: list[asyncpg.Connection] = []

    async def hold(estate_id: str, *, alone: bool = False) -> asyncpg.Connection:
        connection = await asyncpg.connect(postgres_url)
        connections.append(connection)
        await connection.execute("BEGIN")
        if alone:
            await connection.execute("SELECT pg_advisory_xact_lock($1)", GLOBAL_KEY)
        else:
            await connection.execute("SELECT pg_advisory_xact_lock_shared($1)", GLOBAL_KEY)
            await connection.execute("SELECT pg_advisory_xact_lock($1)", lock_key("estate", uuid.UUID(estate_id)))
        return connection

    yield hold
    for connection in connections:
        await connection.close()


async def _still_waiting(task: asyncio.Task) -> bool:
    done, _ = await asyncio.wait({task}, timeout=HELD_FOR_SECONDS)
    return not done


async def _staff(client: httpx.AsyncClient) -> Person:
    return await Person(client, "staff@demo.test").sign_in()


async def test_a_push_on_another_estate_does_not_wait(app_on_postgresql, push_in_flight):
    staff = await _staff(app_on_postgresql)
    larkspur, canal_walk = staff.estate(0), staff.estate(1)
    held = await push_in_flight(larkspur)

    answer = await asyncio.wait_for(
        staff.push(staff.mutation("issue.create", new_issue_args(canal_walk))), timeout=60)
    assert [r["status"] for r in answer["results"]] == ["applied"]
    await held.execute("COMMIT")


async def test_a_push_on_the_same_estate_waits_for_the_one_in_flight(app_on_postgresql, push_in_flight):
    staff = await _staff(app_on_postgresql)
    larkspur = staff.estate(0)
    held = await push_in_flight(larkspur)

    waiting = asyncio.create_task(staff.push(staff.mutation("issue.create", new_issue_args(larkspur))))
    assert await _still_waiting(waiting)
    await held.execute("COMMIT")
    answer = await asyncio.wait_for(waiting, timeout=60)
    assert [r["status"] for r in answer["results"]] == ["applied"]


async def test_an_edit_reaches_its_estate_through_the_issue_it_names(app_on_postgresql, push_in_flight):
    staff = await _staff(app_on_postgresql)
    larkspur = staff.estate(0)
    issue = new_issue_args(larkspur)
    await staff.push(staff.mutation("issue.create", issue))
    held = await push_in_flight(larkspur)

    waiting = asyncio.create_task(staff.push(staff.mutation("issue.comment", {
        "id": str(uuid.uuid4()), "issue_id": issue["id"], "body": "Still dark on Friday."})))
    assert await _still_waiting(waiting)
    await held.execute("COMMIT")
    answer = await asyncio.wait_for(waiting, timeout=60)
    assert [r["status"] for r in answer["results"]] == ["applied"]


async def test_a_push_naming_an_id_no_one_can_place_waits_for_every_push(app_on_postgresql, push_in_flight):
    """It may be another push's creation, not yet committed: only waiting for all of them is safe."""
    staff = await _staff(app_on_postgresql)
    held = await push_in_flight(staff.estate(1))

    waiting = asyncio.create_task(staff.push(staff.mutation("issue.comment", {
        "id": str(uuid.uuid4()), "issue_id": str(uuid.uuid4()), "body": "Is this one done?"})))
    assert await _still_waiting(waiting)
    await held.execute("COMMIT")
    answer = await asyncio.wait_for(waiting, timeout=60)
    assert [r["status"] for r in answer["results"]] == ["rejected"]


async def test_a_writer_that_takes_everything_holds_off_every_push(app_on_postgresql, push_in_flight):
    staff = await _staff(app_on_postgresql)
    held = await push_in_flight(staff.estate(0), alone=True)

    waiting = asyncio.create_task(staff.push(staff.mutation("issue.create", new_issue_args(staff.estate(1)))))
    assert await _still_waiting(waiting)
    await held.execute("COMMIT")
    answer = await asyncio.wait_for(waiting, timeout=60)
    assert [r["status"] for r in answer["results"]] == ["applied"]
