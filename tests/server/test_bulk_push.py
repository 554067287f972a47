"""A push of issue mutations means the same whether it is written in bulk or one mutation at a time.

The server writes a push made only of ``issue.*`` mutations through ``PushStore`` (read ahead, an identity map,
rows written at the end) and any other push through ``DatabaseStore``. The same walk goes through both paths here,
on both databases, and must end exactly as written below: the same answers, rows, timeline and e-mails.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import Settings
from server.sync_api import routes
from tests.conftest import Person, new_issue_args


@pytest.fixture(params=["bulk", "one_at_a_time"])
def path(request, monkeypatch) -> str:
    if request.param == "one_at_a_time":
        monkeypatch.setattr(routes, "suits", lambda mutations: False)
    return request.param


async def _rows(settings: Settings, sql: str, *values: str) -> list[dict[str, Any]]:
    """Rows read with the database's own driver (the app's PostgreSQL pool belongs to the test client's loop),
    ids as text and booleans as booleans on both databases."""
    if settings.database_url:
        connection = await asyncpg.connect(settings.database_url)
        try:
            numbered = sql.format(*(f"${n}" for n in range(1, len(values) + 1)))
            rows = [dict(row) for row in await connection.fetch(numbered, *(uuid.UUID(v) for v in values))]
        finally:
            await connection.close()
    else:
        with contextlib.closing(sqlite3.connect(settings.sqlite_path)) as connection:
            connection.row_factory = sqlite3.Row
            rows = [dict(row) for row in connection.execute(sql.format(*("?" for _ in values)), values)]
    return [{key: str(value) if isinstance(value, uuid.UUID) else bool(value) if key == "withdrawn" else value
             for key, value in row.items()} for row in rows]


def _statuses(body: dict) -> list[tuple[str, str | None]]:
    return [(result["status"], result.get("code")) for result in body["results"]]


async def test_a_walk_ends_the_same_on_either_path(client, settings, path, as_staff: Person, as_rep: Person):
    estate = as_rep.estate()
    fence, bins, later = (new_issue_args(estate, title=title) for title in ("Fence down", "Bins overflowing",
                                                                            "Graffiti on the garages"))
    comment_id = str(uuid.uuid4())
    first = await as_staff.push(
        as_staff.mutation("issue.create", fence),
        as_staff.mutation("issue.create", bins),
        as_staff.mutation("issue.update", {"id": fence["id"], "fields": {"title": "Fence down by the play area",
                                                                 "owner_id": as_staff.user_id,
                                                                 "due_date": "2027-01-15"}}),
        as_staff.mutation("issue.status", {"id": fence["id"], "status": "acknowledged"}),
        as_staff.mutation("issue.comment", {"id": comment_id, "issue_id": fence["id"], "body": "Panels stolen"}),
        as_staff.mutation("issue.create", {**later, "id": fence["id"]}),  # an id this push already used
        as_staff.mutation("issue.comment", {"id": comment_id, "issue_id": bins["id"], "body": "Again"}),
        as_staff.mutation("issue.update", {"id": str(uuid.uuid4()), "fields": {"title": "Nowhere"}}),
        as_staff.mutation("issue.follow", {"id": bins["id"], "follow": False}),
        as_staff.mutation("issue.follow", {"id": bins["id"], "follow": True}),
        as_staff.mutation("issue.withdraw", {"id": bins["id"], "reason": "Reported twice"}),
        as_staff.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": bins["id"], "body": "Late"}),
        as_staff.mutation("issue.create", later),
        as_staff.mutation("issue.update", {"id": later["id"], "fields": {"priority": "high"}}),
        as_staff.mutation("issue.status", {"id": later["id"], "status": "closed"}),  # not straight from reported
        {"id": as_staff.next_mutation, "name": "issue.create", "args": {"title": 7}, "at": "garbled"},
    )
    as_staff.next_mutation += 1
    assert _statuses(first) == [
        ("applied", None), ("applied", None), ("applied", None), ("applied", None), ("applied", None),
        ("rejected", "already_exists"), ("rejected", "already_exists"), ("rejected", "issue_not_found"),
        ("applied", None), ("applied", None), ("applied", None), ("rejected", "issue_withdrawn"),
        ("applied", None), ("applied", None), ("rejected", first["results"][14].get("code")), ("rejected", None),
    ]
    assert first["results"][14]["code"]  # a workflow refusal names its reason
    assert first["last_mutation_id"] == 16

    # A TRA rep follows the fence; the staff member's next change reaches them by e-mail, theirs does not.
    rep = await as_rep.push(as_rep.mutation("issue.follow", {"id": fence["id"], "follow": True}))
    assert _statuses(rep) == [("applied", None)]
    in_progress = as_staff.mutation("issue.status", {"id": fence["id"], "status": "in_progress"})
    second = await as_staff.push(in_progress,
                                 *[as_staff.mutation("issue.create", new_issue_args(estate)) for _ in range(3)])
    assert _statuses(second) == [("applied", None)] * 4
    again = await as_staff.push(in_progress)  # the answer was lost: the phone sends it again
    assert _statuses(again) == [("duplicate", None)]

    walk = (fence["id"], bins["id"], later["id"])
    issues = {row["id"]: row for row in await _rows(
        settings, "SELECT id, title, status, priority, withdrawn FROM issue")}
    assert {key: issues[key] for key in walk} == {
        fence["id"]: {"id": fence["id"], "title": "Fence down by the play area", "status": "in_progress",
                      "priority": "normal", "withdrawn": False},
        bins["id"]: {"id": bins["id"], "title": "Bins overflowing", "status": "reported", "priority": "normal",
                     "withdrawn": True},
        later["id"]: {"id": later["id"], "title": "Graffiti on the garages", "status": "reported",
                      "priority": "high", "withdrawn": False},
    }
    assert len(issues) == 12 + 6  # the demo's issues, and six of this walk's: nothing doubled, nothing lost

    events = await _rows(settings, "SELECT id, issue_id, kind, data, at FROM issue_event WHERE issue_id = {}",
                         fence["id"])
    timeline = [(row["kind"], json.loads(row["data"]).get("to") or json.loads(row["data"]).get("field")
                 or json.loads(row["data"]).get("body")) for row in sorted(events, key=lambda row: row["at"])]
    assert timeline == [("created", None), ("field_changed", "title"), ("field_changed", "owner_id"),
                        ("field_changed", "due_date"), ("status_changed", "acknowledged"),
                        ("comment", "Panels stolen"), ("status_changed", "in_progress")]
    assert comment_id in {row["id"] for row in events}

    followers = {(row["issue_id"], row["user_id"]) for row in await _rows(
        settings, "SELECT issue_id, user_id FROM issue_follower") if row["issue_id"] in walk}
    # Whoever raised an issue follows it; the unfollow and follow again of the bins leave one row.
    assert followers == {(fence["id"], as_staff.user_id), (bins["id"], as_staff.user_id),
                         (later["id"], as_staff.user_id), (fence["id"], as_rep.user_id)}

    mails = [(row["user_id"], row["issue_id"]) for row in await _rows(
        settings, "SELECT user_id, issue_id FROM mail_outbox") if row["issue_id"] in walk]
    assert mails == [(as_rep.user_id, fence["id"])]

    recorded = await _rows(settings, "SELECT mutation_id, status FROM sync_mutation WHERE client_id = {} "
                           "ORDER BY mutation_id", as_staff.client_id)
    assert [(row["mutation_id"], row["status"]) for row in recorded] == [
        (n + 1, status) for n, (status, _) in enumerate([*_statuses(first), *_statuses(second)])]

    # A phone starting afresh pulls the same end state, and this phone learns of its four refusals.
    replica = await Person(as_staff.http, "staff@demo.test").sign_in()
    pulled = (await replica.replica()).issues()
    assert pulled[fence["id"]]["status"] == "in_progress" and bins["id"] not in pulled
    refusals = [change for change in await as_staff.pull_all() if change["entity"] == "rejection"]
    assert sorted(change["data"]["mutation_id"] for change in refusals) == [6, 7, 8, 12, 15, 16]


@pytest.fixture
async def on_postgresql(postgres_url: str, tmp_path) -> AsyncIterator[tuple[AsyncTestClient, Settings]]:
    """The app on PostgreSQL alone: only there do two writers' transactions overlap."""
    settings = Settings(data_dir=tmp_path / "data", database_url=postgres_url, demo=True)
    async with AsyncTestClient(app=create_app(settings)) as http:
        yield http, settings


@pytest.mark.postgres
async def test_an_id_taken_by_another_transaction_after_the_read_ahead_rejects_only_its_mutation(
        on_postgresql, monkeypatch):
    http, settings = on_postgresql
    as_staff = await Person(http, "staff@demo.test").sign_in()
    estate = as_staff.estate()
    creates = [new_issue_args(estate) for _ in range(5)]
    stolen = creates[2]["id"]
    read_ahead = routes.PushStore.read_ahead
    tries: list[str] = []

    async def then_someone_takes_an_id(self, client_id, mutations):
        await read_ahead(self, client_id, mutations)
        tries.append("bulk")
        # Another host's push commits an issue with one of this push's ids, between the read and the write.
        other = await asyncpg.connect(settings.database_url)
        try:
            await other.execute(
                "INSERT INTO issue (id, estate_id, category, title, description, priority, status, raised_by, "
                "captured_at, created_at, updated_at, field_stamps, withdrawn, written_in) "
                "VALUES ($1, $2, 'lighting', 'Taken', '', 'normal', 'reported', $3, now(), now(), now(), '{}', "
                "false, '')", uuid.UUID(stolen), uuid.UUID(as_staff.estate(1)), uuid.UUID(as_staff.user_id))
        finally:
            await other.close()

    monkeypatch.setattr(routes.PushStore, "read_ahead", then_someone_takes_an_id)
    body = await as_staff.push(*[as_staff.mutation("issue.create", args) for args in creates])
    assert tries == ["bulk"]  # the bulk write failed once, then the push ran one mutation at a time
    assert _statuses(body) == [("applied", None), ("applied", None), ("rejected", "already_exists"),
                               ("applied", None), ("applied", None)]
    titles = {row["id"]: row["title"] for row in await _rows(settings, "SELECT id, title FROM issue")}
    assert [titles.get(args["id"]) for args in creates] == [
        args["title"] if args["id"] != stolen else "Taken" for args in creates]
