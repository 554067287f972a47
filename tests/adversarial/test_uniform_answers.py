"""Item 5 of issue 11: what a person may not see answers exactly like what does not exist.

Generated: for every mutation and every GET route with an id, a person without access (a TRA rep of another
estate; a contractor, on jobs not assigned to them) gets an answer byte-identical, ids aside, to the answer for
a random id.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.adversarial.world import TARGET_KIND, Hidden, build_hidden, mutation_args, without_ids

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

ISSUE_STATES = ("plain", "withdrawn", "merged", "merged_into", "fixed")


@pytest.fixture
async def hidden(as_staff, as_rep) -> Hidden:
    return await build_hidden(as_staff, as_rep)


def _target(hidden: Hidden, kind: str, state: str, estate: str) -> str:
    if kind == "issue":
        return hidden.issues[state]
    if kind == "inspection":
        return hidden.inspection
    if kind == "meeting":
        return hidden.meeting
    return estate


async def _answer(person, name: str, args: dict) -> str:
    body = await person.push(person.mutation(name, args))
    result = body["results"][0]
    return without_ids(f"{result['status']}|{result.get('reason')}|{result.get('code')}")


@SETTINGS
@given(name=st.sampled_from(sorted(TARGET_KIND)), state=st.sampled_from(ISSUE_STATES),
       outsider=st.sampled_from(["rep2", "contractor"]))
async def test_every_mutation_on_what_one_may_not_see_answers_like_a_random_id(
        name, state, outsider, hidden, as_rep, as_rep2, as_contractor):
    person = as_rep2 if outsider == "rep2" else as_contractor
    kind = TARGET_KIND[name]
    if outsider == "contractor" and kind != "issue":
        # A contractor is a member of the estate: its inspections and meetings are refused by role, not hidden;
        # what must stay hidden from them are the jobs not assigned to them.
        return
    target = _target(hidden, kind, state, as_rep.estate())
    other = hidden.issues["plain" if state != "plain" else "fixed"]
    real = await _answer(person, name, mutation_args(name, target, other, person.estate(), hidden.photo_sha))
    random_id = str(uuid.uuid4())
    made_up = await _answer(person, name, mutation_args(name, random_id, other if kind == "issue" else random_id,
                                                        person.estate(), hidden.photo_sha))
    assert real == made_up, (name, state, outsider)


def _get_paths(hidden: Hidden, estate: str) -> list[tuple[str, str]]:
    """Every GET route with an id, with the hidden row's id and with a random one."""
    random_id = str(uuid.uuid4())
    pairs = []
    for template, real in (
        ("/api/meetings/{}/action-plan", hidden.meeting), ("/api/meetings/{}/action-plan.html", hidden.meeting),
        ("/api/meetings/{}/action-plan.pdf", hidden.meeting),
        ("/api/inspections/{}/summary", hidden.inspection), ("/api/inspections/{}/summary.html", hidden.inspection),
        ("/api/inspections/{}/summary.pdf", hidden.inspection),
        ("/api/estates/{}/issues", estate), ("/api/estates/{}/issues.csv", estate),
        ("/api/estates/{}/dashboard", estate), ("/api/estates/{}/dashboard.html", estate),
        ("/api/estates/{}/mail/inbound", estate), ("/api/estates/{}/mail/inbound.html", estate),
    ):
        pairs.append((template.format(real), template.format(random_id)))
    for variant in ("thumb", "display", "original"):
        pairs.append((f"/api/photos/{hidden.photo_sha}?variant={variant}",
                      f"/api/photos/{uuid.uuid4().hex * 2}?variant={variant}"))
    return pairs


async def test_every_get_with_an_id_answers_an_outsider_like_a_random_id(hidden, as_rep, as_rep2, as_contractor,
                                                                       as_staff):
    people = {"rep2": as_rep2, "contractor": as_contractor}
    mismatches = []
    for who, person in people.items():
        for real, made_up in _get_paths(hidden, as_rep.estate()):
            if who == "contractor" and real.startswith("/api/estates/"):
                continue  # a member of the estate: its own list and refusals by role are not about existence
            a = await person.http.get(real, headers=person.headers)
            b = await person.http.get(made_up, headers=person.headers)
            assert a.status_code < 500 and b.status_code < 500
            if (a.status_code, without_ids(a.text)) != (b.status_code, without_ids(b.text)):
                mismatches.append(f"{who} GET {real}: {a.status_code} {a.text[:120]} / {b.status_code} {b.text[:120]}")
    # A staff member of another estate's person: the export answers like an unknown person.
    export = await as_rep2.http.get(f"/api/people/{as_rep.user_id}/export", headers=as_rep2.headers)
    unknown = await as_rep2.http.get(f"/api/people/{uuid.uuid4()}/export", headers=as_rep2.headers)
    assert (export.status_code, without_ids(export.text)) == (unknown.status_code, without_ids(unknown.text))
    assert not mismatches, "\n".join(mismatches)
