"""Every resident in their own language, on the server side: the language a person chooses (``person.language``)
is kept on their profile and learnt by all their phones; what people write carries the language it was written
in; refusals carry a stable code for the phone to word; e-mails and printable pages speak the reader's language.

Runs on SQLite and PostgreSQL; the e-mail test uses a real SMTP server (aiosmtpd) and the real ``send-mail``.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.action_plan.test_following import _applied, pulled
from tests.conftest import Person, new_issue_args


async def _me(person: Person) -> dict[str, Any]:
    answer = await person.http.get("/api/auth/me", headers=person.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["user"]


async def test_the_chosen_language_is_kept_on_the_profile_and_every_phone_of_that_person_learns_it(as_rep, as_staff):
    assert (await _me(as_rep))["language"] == ""
    await _applied(as_rep, "person.language", {"language": "ckb"})
    assert (await _me(as_rep))["language"] == "ckb"
    assert (await pulled(as_rep, "person_language"))[as_rep.user_id]["language"] == "ckb"
    # Nobody else's phones hear about it.
    assert await pulled(as_staff, "person_language") == {}

    # From two phones the later choice stands, whichever arrives last.
    earlier = f"{1_000_000_000_000:015d}:00000:{as_rep.client_id}"
    await _applied(as_rep, "person.language", {"language": "vi"}, at=earlier)
    assert (await _me(as_rep))["language"] == "ckb"
    await _applied(as_rep, "person.language", {"language": "so"})
    assert (await _me(as_rep))["language"] == "so"


async def test_a_language_estatewalk_does_not_speak_is_refused_with_a_code(as_rep):
    body = await as_rep.push(as_rep.mutation("person.language", {"language": "fr"}))
    result = body["results"][-1]
    assert result["status"] == "rejected" and "fr" in result["reason"]
    assert result["code"] == "unknown_language" and result["params"] == {"language": "fr"}
    assert (await _me(as_rep))["language"] == ""


async def test_titles_and_comments_carry_the_language_they_were_written_in(as_rep, as_staff):
    args = {**new_issue_args(as_rep.estate(), title="Asansör yine bozuk"), "written_in": "tr"}
    await _applied(as_rep, "issue.create", args)
    comment_id = str(uuid.uuid4())
    await _applied(as_staff, "issue.comment", {"id": comment_id, "issue_id": args["id"],
                                               "body": "Thang máy đã được báo sửa", "written_in": "vi"})
    replica = await as_staff.replica()
    assert replica.entities["issue"][args["id"]]["written_in"] == "tr"
    assert replica.entities["issue_event"][comment_id]["data"]["written_in"] == "vi"


async def test_a_language_tag_that_is_not_one_is_a_400_naming_the_field(as_rep):
    args = {**new_issue_args(as_rep.estate(), title="Broken gate"), "written_in": "not a tag!"}
    answer = await as_rep.http.post("/api/sync/push", headers=as_rep.headers, json={
        "client_id": as_rep.client_id, "mutations": [as_rep.mutation("issue.create", args)]})
    assert answer.status_code == 400 and "written_in" in answer.text
