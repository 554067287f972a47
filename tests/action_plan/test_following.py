"""Following an issue and choosing how to hear about it: each person's phones learn what they follow and their
mail setting (and nobody else's), and e-mail goes only to those who follow and may still see the issue.

Runs on SQLite and PostgreSQL; the e-mail tests use a real SMTP server (aiosmtpd) and the real ``send-mail``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from typing import Any

from tests.action_plan.helpers import status
from tests.conftest import Person, new_issue_args, run_cli


async def _raise(person: Person, title: str) -> str:
    args = new_issue_args(person.estate(), title=title)
    body = await person.push(person.mutation("issue.create", args))
    assert body["results"][-1]["status"] == "applied", body
    return args["id"]


async def _applied(person: Person, name: str, args: dict[str, Any], **options: Any) -> None:
    body = await person.push(person.mutation(name, args, **options))
    assert body["results"][-1]["status"] == "applied", body


def another_phone(person: Person) -> Person:
    """The same person signed in on a new phone: it pulls everything from the start."""
    return Person(person.http, person.email, token=person.token, user_id=person.user_id,
                  memberships=person.memberships)


async def pulled(person: Person, entity: str) -> dict[str, Any]:
    replica = await another_phone(person).replica()
    return replica.entities.get(entity, {})


async def test_a_follow_is_pulled_by_the_follower_alone(as_staff, as_rep, as_rep2, as_contractor):
    issue_id = await _raise(as_rep, "Bin store door will not lock")
    # Raising an issue follows it: the raiser's phones know.
    rep_follows = await pulled(as_rep, "follow")
    assert issue_id in rep_follows and rep_follows[issue_id]["issue_id"] == issue_id
    assert rep_follows[issue_id]["estate_id"] == as_rep.estate()
    for other in (as_staff, as_rep2, as_contractor):
        assert issue_id not in await pulled(other, "follow"), other.email

    await _applied(as_staff, "issue.follow", {"id": issue_id, "follow": True})
    assert issue_id in await pulled(as_staff, "follow")

    # The rep stops following; staff still follow. A phone that already had the follow is told to drop it.
    rep_phone = another_phone(as_rep)
    assert issue_id in (await rep_phone.replica()).entities["follow"]
    await _applied(as_rep, "issue.follow", {"id": issue_id, "follow": False})
    changes = await rep_phone.pull_all()
    assert {"entity": "follow", "id": issue_id, "deleted": True, "data": None} in changes
    assert issue_id not in await pulled(as_rep, "follow")
    assert issue_id in await pulled(as_staff, "follow")
    # Another person's phone holds their own follows (the issues they raised) and nobody else's.
    replica = await another_phone(as_rep2).replica()
    raised = {i for i, issue in replica.issues().items() if issue["raised_by"] == as_rep2.user_id}
    assert set(replica.entities.get("follow", {})) == raised and raised


async def test_following_twice_or_unfollowing_what_one_does_not_follow_adds_nothing(as_staff, as_rep):
    issue_id = await _raise(as_rep, "Graffiti on the garages")
    phone = another_phone(as_staff)
    await phone.pull_all()
    await _applied(as_staff, "issue.follow", {"id": issue_id, "follow": False})
    assert [c for c in await phone.pull_all() if c["entity"] == "follow"] == []
    await _applied(as_staff, "issue.follow", {"id": issue_id})
    await _applied(as_staff, "issue.follow", {"id": issue_id})
    assert len([c for c in await phone.pull_all() if c["entity"] == "follow"]) == 1


async def test_a_contractor_pulls_their_follow_only_while_the_job_is_theirs(as_staff, as_rep, as_contractor):
    issue_id = await _raise(as_rep, "Lamp post flickers")
    await _applied(as_staff, "issue.update", {"id": issue_id, "fields": {"assignee_id": as_contractor.user_id}})
    await _applied(as_contractor, "issue.follow", {"id": issue_id})
    assert issue_id in await pulled(as_contractor, "follow")


async def test_the_mail_setting_is_a_mutation_that_every_phone_of_that_person_learns(as_staff, as_rep):
    await _applied(as_rep, "mail.preference", {"mode": "daily"})
    answer = await as_rep.http.get("/api/me/mail", headers=as_rep.headers)
    assert answer.json() == {"mode": "daily"}
    assert (await pulled(as_rep, "mail_preference"))[as_rep.user_id]["mode"] == "daily"
    assert await pulled(as_staff, "mail_preference") == {}

    # From two phones, the later choice stands, whichever arrives last.
    earlier = f"{1_000_000_000_000:015d}:00000:{as_rep.client_id}"
    await _applied(as_rep, "mail.preference", {"mode": "none"}, at=earlier)
    assert (await as_rep.http.get("/api/me/mail", headers=as_rep.headers)).json() == {"mode": "daily"}

    # A choice made on the web page reaches the phones too.
    answer = await as_rep.http.put("/api/me/mail", json={"mode": "none"}, headers=as_rep.headers)
    assert answer.status_code == 200, answer.text
    assert (await pulled(as_rep, "mail_preference"))[as_rep.user_id]["mode"] == "none"


async def test_an_unknown_mail_setting_is_rejected_with_a_reason(as_rep):
    body = await as_rep.push(as_rep.mutation("mail.preference", {"mode": "hourly"}))
    result = body["results"][-1]
    assert result["status"] == "rejected" and "hourly" in result["reason"] and "daily" in result["reason"]
    assert (await as_rep.http.get("/api/me/mail", headers=as_rep.headers)).json() == {"mode": "immediate"}


def send_mail(settings) -> subprocess.CompletedProcess:
    sent = run_cli(settings, "send-mail", "--no-digests")
    assert sent.returncode == 0, sent.stdout + sent.stderr
    return sent


async def test_who_follows_gets_the_mail_and_who_unfollowed_gets_none(as_staff, as_rep, settings, mail_env):
    title = f"Stair light out {uuid.uuid4().hex[:6]}"
    issue_id = await _raise(as_rep, title)
    await _applied(as_rep, "issue.follow", {"id": issue_id, "follow": False})
    await _applied(as_staff, "issue.comment", {"id": str(uuid.uuid4()), "issue_id": issue_id,
                                               "body": "Electrician booked for Tuesday"})
    send_mail(settings)
    assert mail_env.to("rep@demo.test", title) == []

    # Following again brings the mail back; staff who follow now hear of the rep's answer.
    await _applied(as_rep, "issue.follow", {"id": issue_id})
    await _applied(as_staff, "issue.follow", {"id": issue_id})
    await _applied(as_staff, "issue.comment", {"id": str(uuid.uuid4()), "issue_id": issue_id,
                                               "body": "Electrician came, part on order"})
    await _applied(as_rep, "issue.comment", {"id": str(uuid.uuid4()), "issue_id": issue_id,
                                             "body": "Thank you"})
    send_mail(settings)
    to_rep = mail_env.to("rep@demo.test", title)
    assert len(to_rep) == 1 and "part on order" in to_rep[0].get_content()
    to_staff = mail_env.to("staff@demo.test", title)
    assert len(to_staff) == 1 and "Thank you" in to_staff[0].get_content()


async def test_mail_set_to_none_on_the_phone_stops_the_mail(as_staff, as_rep, settings, mail_env):
    title = f"Lift stuck {uuid.uuid4().hex[:6]}"
    issue_id = await _raise(as_rep, title)
    await _applied(as_rep, "mail.preference", {"mode": "none"})
    await _applied(as_staff, "issue.comment", {"id": str(uuid.uuid4()), "issue_id": issue_id, "body": "On it"})
    send_mail(settings)
    assert mail_env.to("rep@demo.test", title) == []


async def test_a_contractor_the_job_was_taken_from_hears_no_more_of_it(as_staff, as_rep, as_contractor, settings,
                                                                       mail_env):
    title = f"Flood light {uuid.uuid4().hex[:6]}"
    issue_id = await _raise(as_rep, title)
    await _applied(as_staff, "issue.update", {"id": issue_id, "fields": {
        "assignee_id": as_contractor.user_id, "owner_id": as_staff.user_id, "due_date": "2030-01-31"}})
    await _applied(as_contractor, "issue.follow", {"id": issue_id})
    await as_staff.push(status(as_staff, issue_id, "acknowledged"))
    send_mail(settings)
    assert len(mail_env.to("contractor@demo.test", title)) == 1

    await _applied(as_staff, "issue.update", {"id": issue_id, "fields": {"assignee_id": None}})
    await _applied(as_staff, "issue.comment", {"id": str(uuid.uuid4()), "issue_id": issue_id,
                                               "body": "Residents say the new firm is cheaper"})
    send_mail(settings)
    assert len(mail_env.to("contractor@demo.test", title)) == 1
    assert mail_env.to("contractor@demo.test", "cheaper") == []


RECORD_EXISTING_FOLLOWS = """
import asyncio, importlib
from server.db.engine import close_pool, current_engine, open_pool, use_database, write_transaction
from server.db.tables import ChangeLog
from server.settings import settings_from_env

migration = importlib.import_module("migrations.estatewalk.estatewalk_2026_12_02t18_40_45_378685")

async def main():
    engine = use_database(settings_from_env())
    await open_pool(engine)
    try:
        async with write_transaction(current_engine()):
            # As before this release: follows kept on the server, no change rows for phones.
            await ChangeLog.delete().where(ChangeLog.entity == "follow")
            await migration._record_existing_follows()
    finally:
        await close_pool(engine)

asyncio.run(main())
"""


async def test_follows_made_before_phones_pulled_them_are_sent_to_the_phones(as_rep, settings):
    issue_id = await _raise(as_rep, "Broken paving slab")
    phone = another_phone(as_rep)
    await phone.pull_all()
    env = {**os.environ, "ESTATEWALK_DATA": str(settings.data_dir)}
    env.pop("DATABASE_URL", None)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    done = subprocess.run([sys.executable, "-c", RECORD_EXISTING_FOLLOWS], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # A phone already up to date pulls them on its next round, numbered after everything it has.
    later = {c["id"] for c in await phone.pull_all() if c["entity"] == "follow"}
    assert issue_id in later
    assert issue_id in await pulled(as_rep, "follow")
