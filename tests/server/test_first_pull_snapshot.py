"""A phone starting afresh gets each row once (a snapshot), then the log: same end state as replaying history."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from server.sync_api import pages, snapshot
from tests.conftest import Person, Replica, new_issue_args


def _text(cursor: str) -> str:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


async def _replayed(person: Person) -> Replica:
    """What a phone holds after replaying this person's whole change log (a cursor of theirs at version 0)."""
    fingerprint = _text(person.cursor).split(".")[1]
    replayer = await Person(person.http, person.email, client_id=person.client_id).sign_in()
    replayer.cursor = _cursor(f"0.{fingerprint}.")
    first = await replayer.http.post("/api/sync/pull", headers=replayer.headers,
                                     json={"client_id": replayer.client_id, "cursor": replayer.cursor})
    assert first.status_code == 200 and first.json()["reset"] is False, "a cursor at 0 reads the log"
    replica = Replica()
    replica.apply(first.json()["changes"])
    replayer.cursor = first.json()["cursor"]
    if first.json()["has_more"]:
        replica.apply(await replayer.pull_all())
    return replica


def _held(replica: Replica) -> dict[str, dict[str, Any]]:
    return {entity: rows for entity, rows in replica.entities.items() if rows}


async def _pages(person: Person, limit: int) -> list[dict[str, Any]]:
    """Pull until nothing more is waiting, keeping each answer."""
    answers = []
    while True:
        answer = await person.http.post("/api/sync/pull", headers=person.headers,
                                        json={"client_id": person.client_id, "cursor": person.cursor,
                                              "limit": limit})
        assert answer.status_code == 200, answer.text
        answers.append(answer.json())
        person.cursor = answers[-1]["cursor"]
        if not answers[-1]["has_more"]:
            return answers


async def _history(rep: Person, staff: Person, issues: int = 6) -> list[str]:
    """Issues raised, edited twice, commented on, one withdrawn: a log with several changes per issue."""
    ids = []
    for n in range(issues):
        args = new_issue_args(rep.estate(), title=f"Issue {n}")
        ids.append(args["id"])
        await rep.push(rep.mutation("issue.create", args))
    for n, issue_id in enumerate(ids):
        await staff.push(staff.mutation("issue.update", {"id": issue_id, "fields": {"title": f"Issue {n}, seen"}}),
                         staff.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": issue_id,
                                                          "body": "Looked at it"}))
        await rep.push(rep.mutation("issue.update", {"id": issue_id, "fields": {"priority": "high"}}))
    await rep.push(rep.mutation("issue.withdraw", {"id": ids[-1], "reason": "raised twice"}))
    return ids


async def test_a_fresh_pull_sends_each_visible_row_once_and_ends_as_a_replay_does(as_rep, as_staff):
    ids = await _history(as_rep, as_staff)
    phone = await Person(as_rep.http, "rep@demo.test").sign_in()
    answers = await _pages(phone, limit=1000)
    changes = [c for answer in answers for c in answer["changes"]]
    assert answers[0]["reset"] is True
    keys = [(c["entity"], c["id"]) for c in changes]
    assert len(keys) == len(set(keys)), "each row once"
    assert not any(c["deleted"] for c in changes), "a fresh phone has nothing to delete"
    issues = {c["id"]: c["data"] for c in changes if c["entity"] == "issue"}
    assert set(ids[:-1]) <= set(issues) and ids[-1] not in issues
    assert all(issues[i]["priority"] == "high" and issues[i]["title"].endswith(", seen") for i in ids[:-1])

    snapshot_replica = Replica()
    snapshot_replica.apply(changes)
    assert _held(snapshot_replica) == _held(await _replayed(phone))
    # Fewer changes than the history: the issues were written three times each.
    assert len(await _replayed_changes(phone)) > len(changes)

    # In small pages: the same rows, in the same order.
    small = await Person(as_rep.http, "rep@demo.test").sign_in()
    paged = [c for answer in await _pages(small, limit=3) for c in answer["changes"]]
    assert [(c["entity"], c["id"]) for c in paged] == keys


async def test_a_page_read_in_several_chunks_is_the_page_read_at_once(as_rep, as_staff, monkeypatch):
    await _history(as_rep, as_staff)
    whole = await Person(as_rep.http, "rep@demo.test").sign_in()
    at_once = await _pages(whole, limit=1000)
    monkeypatch.setattr(pages, "_CHUNK_ROWS", 2)
    monkeypatch.setattr(pages, "_MIN_CHUNK_ROWS", 1)
    chunked = await Person(as_rep.http, "rep@demo.test").sign_in()
    in_chunks = await _pages(chunked, limit=1000)
    assert len(at_once) == len(in_chunks) == 1
    assert in_chunks[0]["changes"] == at_once[0]["changes"] and len(at_once[0]["changes"]) > 6
    # The log, read in chunks too: everything pushed after the snapshot, in order, once.
    await _history(as_rep, as_staff, issues=2)
    assert await chunked.pull_all(limit=1000) == await whole.pull_all(limit=1000) != []


async def _replayed_changes(person: Person) -> list[dict[str, Any]]:
    fingerprint = _text(person.cursor).split(".")[1]
    replayer = await Person(person.http, person.email, client_id=person.client_id).sign_in()
    replayer.cursor = _cursor(f"0.{fingerprint}.")
    return await replayer.pull_all(limit=1000)


async def test_pushes_between_snapshot_pages_are_not_lost(as_rep, as_staff):
    ids = await _history(as_rep, as_staff)
    phone = await Person(as_rep.http, "rep@demo.test").sign_in()
    first = await phone.http.post("/api/sync/pull", headers=phone.headers,
                                  json={"client_id": phone.client_id, "cursor": None, "limit": 4})
    assert first.status_code == 200 and first.json()["has_more"] is True
    phone.cursor = first.json()["cursor"]
    held = Replica()
    held.apply(first.json()["changes"])

    # Others keep working while the phone is part-way through its snapshot.
    late = new_issue_args(as_rep.estate(), title="Raised during the first pull")
    await as_rep.push(as_rep.mutation("issue.create", late),
                      as_rep.mutation("issue.update", {"id": ids[0], "fields": {"title": "Renamed meanwhile"}}),
                      as_rep.mutation("issue.withdraw", {"id": ids[1], "reason": "fixed by the council"}))
    middle = await phone.http.post("/api/sync/pull", headers=phone.headers,
                                   json={"client_id": phone.client_id, "cursor": phone.cursor, "limit": 4})
    assert middle.json()["reset"] is False
    held.apply(middle.json()["changes"])
    phone.cursor = middle.json()["cursor"]
    await as_staff.push(as_staff.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": ids[2],
                                                            "body": "Also said during the first pull"}))
    held.apply(await phone.pull_all(limit=4))

    issues = held.issues()
    assert issues[late["id"]]["title"] == "Raised during the first pull"
    assert issues[ids[0]]["title"] == "Renamed meanwhile"
    assert ids[1] not in issues
    assert any(e["data"].get("body") == "Also said during the first pull" for e in held.events_of(ids[2]))
    assert _held(held) == _held(await _replayed(phone))


async def test_a_contractor_snapshot_holds_only_their_jobs(as_staff, as_rep, as_contractor):
    raised = []
    for title in ("Theirs", "Taken back", "Someone else's"):
        args = new_issue_args(as_rep.estate(), title=title)
        raised.append(args["id"])
        await as_rep.push(as_rep.mutation("issue.create", args),
                          as_rep.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": args["id"],
                                                            "body": f"About {title}"}))
    theirs, taken_back, others = raised
    for issue_id in (theirs, taken_back):
        await as_staff.push(as_staff.mutation("issue.update", {"id": issue_id,
                                                               "fields": {"assignee_id": as_contractor.user_id}}))
    await as_contractor.pull_all()  # their phone held the issue taken back, then learns it is gone
    await as_staff.push(as_staff.mutation("issue.update", {"id": taken_back, "fields": {"assignee_id": None}}))
    await as_contractor.push(as_contractor.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": theirs,
                                                                      "body": "On my way"}))

    phone = await Person(as_contractor.http, "contractor@demo.test").sign_in()
    changes = [c for answer in await _pages(phone, limit=2) for c in answer["changes"]]
    keys = [(c["entity"], c["id"]) for c in changes]
    assert len(keys) == len(set(keys))
    issues = {c["id"]: c["data"] for c in changes if c["entity"] == "issue"}
    # Their jobs (the demo data gives them some too), and nothing else.
    assert theirs in issues and taken_back not in issues and others not in issues
    assert all(issue["assignee_id"] == as_contractor.user_id for issue in issues.values())
    about_issues = [c for c in changes if c["entity"] in ("issue_event", "photo")]
    assert any(c["data"]["issue_id"] == theirs for c in about_issues)
    assert all(c["data"]["issue_id"] in issues for c in about_issues)
    replica = Replica()
    replica.apply(changes)
    assert _held(replica) == _held(await _replayed(phone))
    # Their older phone, which followed the log, holds the same.
    assert _held(replica) == _held(_apply(Replica(), await _all_changes_since_start(as_contractor)))


def _apply(replica: Replica, changes: list[dict[str, Any]]) -> Replica:
    replica.apply(changes)
    return replica


async def _all_changes_since_start(person: Person) -> list[dict[str, Any]]:
    return await _replayed_changes(person)


async def test_snapshot_pages_are_bounded_by_bytes(as_rep, monkeypatch):
    monkeypatch.setattr(pages, "PAGE_BYTES", 16 * 1024)
    for n in range(12):
        await as_rep.push(as_rep.mutation("issue.create", new_issue_args(
            as_rep.estate(), title=f"Long {n}", description="The bin store door is broken. " * 130)))
    phone = await Person(as_rep.http, "rep@demo.test").sign_in()
    answers = await _pages(phone, limit=1000)
    assert len(answers) >= 4
    for answer in answers:
        size = len(json.dumps(answer["changes"], separators=(",", ":"), ensure_ascii=False).encode())
        assert size <= 16 * 1024 or len(answer["changes"]) == 1, size
    titles = {c["data"]["title"] for a in answers for c in a["changes"] if c["entity"] == "issue"}
    assert {f"Long {n}" for n in range(12)} <= titles


async def test_log_pages_are_bounded_by_bytes_too(as_rep, monkeypatch):
    phone = await Person(as_rep.http, "rep@demo.test").sign_in()
    await phone.pull_all(limit=1000)
    monkeypatch.setattr(pages, "PAGE_BYTES", 16 * 1024)
    for n in range(12):
        await as_rep.push(as_rep.mutation("issue.create", new_issue_args(
            as_rep.estate(), title=f"Long {n}", description="The bin store door is broken. " * 130)))
    answers = await _pages(phone, limit=1000)
    assert len(answers) >= 4 and not any(answer["reset"] for answer in answers)
    for answer in answers:
        size = len(json.dumps(answer["changes"], separators=(",", ":"), ensure_ascii=False).encode())
        assert size <= 16 * 1024 or len(answer["changes"]) == 1, size
    titles = [c["data"]["title"] for a in answers for c in a["changes"] if c["entity"] == "issue"]
    assert titles == [f"Long {n}" for n in range(12)]


async def test_a_snapshot_cursor_is_checked_like_any_other(as_rep, as_rep2):
    await _history(as_rep, as_rep, issues=3)
    phone = await Person(as_rep.http, "rep@demo.test").sign_in()
    first = await phone.http.post("/api/sync/pull", headers=phone.headers,
                                  json={"client_id": phone.client_id, "cursor": None, "limit": 2})
    cursor = first.json()["cursor"]
    version, fingerprint, mark, after = _text(cursor).split(".")
    assert int(after) <= int(version)

    async def pull(text: str) -> Any:
        return await phone.http.post("/api/sync/pull", headers=phone.headers,
                                     json={"client_id": phone.client_id, "cursor": _cursor(text)})

    for garbled in (f"{version}.{fingerprint}.{mark}.{int(version) + 1}", f"{version}.{fingerprint}.{mark}.-1",
                    f"{version}.{fingerprint}.{mark}.{'9' * 19}", f"{version}.{fingerprint}.{mark}.{'9' * 40}",
                    f"{version}.{fingerprint}.{mark}.", f"{version}.{fingerprint}.{mark}.{after}.1",
                    f"{'9' * 19}.{fingerprint}.{mark}.{after}"):
        answer = await pull(garbled)
        assert answer.status_code == 400, (garbled, answer.text)
        assert answer.json()["code"] == "400.1"
    # Another history at that version (a restore) or another set of estates: start the snapshot again.
    for stale in (f"{version}.{fingerprint}.{'0' * 12}.{after}", f"{version}.{'f' * 16}.{mark}.{after}",
                  f"{int(version) + 1000}.{fingerprint}.{mark}.{after}"):
        answer = await pull(stale)
        assert answer.status_code == 200 and answer.json()["reset"] is True, stale


@pytest.mark.parametrize("limit", [1, 1000])
async def test_an_empty_snapshot_page_still_hands_over_to_the_log(as_rep, limit):
    phone = await Person(as_rep.http, "rep@demo.test").sign_in()
    answers = await _pages(phone, limit=limit)
    assert answers[-1]["has_more"] is False and len(_text(answers[-1]["cursor"]).split(".")) == 3
    args = new_issue_args(as_rep.estate(), title="After the first pull")
    await as_rep.push(as_rep.mutation("issue.create", args))
    later = await phone.pull_all()
    assert [c["data"]["title"] for c in later if c["entity"] == "issue"] == ["After the first pull"]


async def test_a_snapshot_page_finds_each_key_latest_change_through_the_index(as_staff, settings):
    """Without the index on (entity_id, entity, version) every row of a page would read the whole log again."""
    from piccolo.engine.postgres import PostgresEngine

    from server.db.engine import current_engine
    from server.db.tables import ChangeLog
    from server.sync_api.changes import visible_rows

    roles = {uuid.UUID(m["estate_id"]): m["role"] for m in as_staff.memberships}
    visible = visible_rows(list(roles), uuid.uuid4(), roles=roles, user_id=uuid.UUID(as_staff.user_id))
    query = snapshot.page_query(0, 1_000_000, visible, 500)
    if isinstance(current_engine(), PostgresEngine):
        sql, args = query.compile_string(engine_type="postgres")
        connection = await current_engine().get_new_connection()
        try:
            # The demo's log is tiny: without this PostgreSQL rightly prefers reading it whole.
            await connection.execute("SET enable_seqscan = off")
            plan = "\n".join(row[0] for row in await connection.fetch(f"EXPLAIN {sql}", *args))
        finally:
            await connection.close()
    else:
        plan = "\n".join(row["detail"] for row in await ChangeLog.raw("EXPLAIN QUERY PLAN {}", query))
    assert "change_log_entity_key" in plan, plan
