"""Item 9 of issue 11: generated hostile pushes, on SQLite and PostgreSQL.

Hypothesis builds pushes of every mutation whose ids and hashes come from another estate's rows, from other
kinds of row, from another phone's client id (the event ids its next mutations would have needed when they were
derived from it alone) and at random. After each: no answer is a 500, nothing on the estate the attacker may not
touch changed, and every honest phone's queue still drains.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.adversarial.db import snapshot
from tests.adversarial.world import TARGET_KIND, Hidden, build_hidden, mutation_args

OLD_NAMESPACE = uuid.UUID("0b7f3a52-94f1-4d55-9d0e-5b0e8c3d2a61")
TABLES = ("issue", "issue_event", "photo", "inspection", "inspection_grade", "inspection_recheck", "meeting",
          "meeting_issue")

SETTINGS = settings(max_examples=15, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

ID_SOURCES = ("issue_plain", "issue_withdrawn", "issue_merged", "issue_merged_into", "issue_fixed", "inspection",
              "grade", "meeting", "comment", "photo", "predicted_event", "random", "own_estate", "their_estate")
SHA_SOURCES = ("hidden", "random")


@pytest.fixture
async def hidden(as_staff, as_rep) -> Hidden:
    return await build_hidden(as_staff, as_rep)


def _pick(source: str, hidden: Hidden, victim, attacker, n: int) -> str:
    if source.startswith("issue_"):
        return hidden.issues[source.removeprefix("issue_")]
    if source == "predicted_event":
        # What the victim's next mutation's first event id would have been, had ids come from its client id.
        return str(uuid.uuid5(OLD_NAMESPACE, f"{victim.client_id}:{victim.next_mutation + n}:1"))
    if source == "random":
        return str(uuid.uuid4())
    if source == "own_estate":
        return attacker.estate()
    if source == "their_estate":
        return victim.estate()
    return getattr(hidden, source)


hostile = st.lists(st.tuples(st.sampled_from(sorted(TARGET_KIND)), st.sampled_from(ID_SOURCES),
                             st.sampled_from(ID_SOURCES), st.sampled_from(SHA_SOURCES),
                             st.sampled_from(ID_SOURCES)), min_size=1, max_size=6)


def _with_id(name: str, args: dict, chosen: str) -> dict:
    """Put a chosen id where the mutation names the row it creates."""
    if name in ("issue.comment", "photo.attach", "inspection.grade", "inspection.recheck", "issue.create",
                "inspection.create", "meeting.create"):
        return {**args, "id": chosen}
    return args


@SETTINGS
@given(plan=hostile, attacker_kind=st.sampled_from(["rep2", "contractor"]))
async def test_hostile_pushes_change_nothing_not_theirs_and_every_queue_drains(
        plan, attacker_kind, hidden, as_rep, as_rep2, as_contractor, as_staff, settings):
    attacker = as_rep2 if attacker_kind == "rep2" else as_contractor
    victim = as_rep
    protected = [victim.estate()]
    before = snapshot(settings, TABLES, protected)

    mutations = []
    for n, (name, target_source, other_source, sha_source, id_source) in enumerate(plan):
        target = _pick(target_source, hidden, victim, attacker, n)
        other = _pick(other_source, hidden, victim, attacker, n)
        sha = hidden.photo_sha if sha_source == "hidden" else uuid.uuid4().hex * 2
        args = _with_id(name, mutation_args(name, target, other, attacker.estate(), sha),
                        _pick(id_source, hidden, victim, attacker, n))
        mutations.append(attacker.mutation(name, args))
    answer = await attacker.push(*mutations)  # asserts 200: never a 500, never a refused batch
    assert answer["last_mutation_id"] == attacker.next_mutation - 1  # the attacker's own queue moves on too
    # Neither a TRA rep of another estate nor a contractor (a member there, but of none of these jobs) changed
    # anything there.
    assert snapshot(settings, TABLES, protected) == before
    for variant in ("thumb", "display", "original"):
        seen = await attacker.http.get(f"/api/photos/{hidden.photo_sha}", params={"variant": variant},
                                       headers=attacker.headers)
        assert seen.status_code == 404

    # The honest phone goes on as if nothing happened: everything applies, and its queue drains.
    plain = hidden.issues["plain"]
    honest = await victim.push(
        victim.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": plain, "body": "still here"}),
        victim.mutation("issue.update", {"id": plain, "fields": {"description": f"seen {len(plan)}"}}),
        victim.mutation("issue.follow", {"id": plain, "follow": True}),
    )
    assert [r["status"] for r in honest["results"]] == ["applied"] * 3, honest
    assert honest["last_mutation_id"] == victim.next_mutation - 1
    # Staff of both estates too.
    staff = await as_staff.push(as_staff.mutation("issue.comment", {
        "id": str(uuid.uuid4()), "issue_id": plain, "body": "staff still here"}))
    assert staff["results"][0]["status"] == "applied", staff
