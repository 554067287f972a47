"""E-mail through the outbox to a real SMTP server: delivered, retried, never lost, never sent twice.

The outbox row is written in the push's own transaction; ``estatewalk send-mail`` (a separate process, as an
operator's cron job would run it) or the server's background task delivers it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter

from litestar.testing import AsyncTestClient

from server.app import create_app
from tests.action_plan.helpers import issues_at, status
from tests.conftest import Person, new_issue_args, run_cli

REP = "rep@demo.test"


def send_mail(settings, *args: str) -> subprocess.CompletedProcess:
    return run_cli(settings, "send-mail", "--no-digests", *args)


async def raise_and_acknowledge(as_staff: Person, as_rep: Person, title: str) -> str:
    """The rep raises an issue (and so follows it); staff acknowledge it."""
    args = new_issue_args(as_rep.estate(), title=title)
    await as_rep.push(as_rep.mutation("issue.create", args))
    await as_staff.push(
        as_staff.mutation("issue.update", {"id": args["id"], "fields": {"owner_id": as_staff.user_id,
                                                                         "due_date": "2030-01-31"}}),
        status(as_staff, args["id"], "acknowledged", note="Electrician booked"))
    return args["id"]


async def test_the_raiser_is_emailed_once_when_staff_change_the_status(as_staff, as_rep, settings, mail_env):
    title = f"Light out {uuid.uuid4().hex[:6]}"
    issue_id = await raise_and_acknowledge(as_staff, as_rep, title)
    await as_staff.push(as_staff.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": issue_id,
                                                            "body": "Parts ordered"}))
    first = send_mail(settings)
    assert first.returncode == 0, first.stderr
    mails = mail_env.to(REP, title)
    assert len(mails) == 2
    assert any("to acknowledged" in m.get_content() and "Electrician booked" in m.get_content() for m in mails)
    assert any("Parts ordered" in m.get_content() for m in mails)
    # Nobody hears about their own change: staff made both, staff got nothing about this issue.
    assert mail_env.to("staff@demo.test", title) == []

    again = send_mail(settings)
    assert again.returncode == 0 and "E-mails sent: 0" in again.stdout
    assert len(mail_env.to(REP, title)) == 2
    assert max(Counter(mail_env.outbox_ids()).values()) == 1


async def test_mail_waits_while_smtp_is_down_and_goes_once_when_it_is_back(as_staff, as_rep, settings, mail_env):
    title = f"Lift stuck {uuid.uuid4().hex[:6]}"
    mail_env.stop()
    await raise_and_acknowledge(as_staff, as_rep, title)
    down = send_mail(settings, "--retry-after", "0")
    assert down.returncode == 1 and "to retry:" in down.stdout, down.stdout + down.stderr

    mail_env.start()
    back = send_mail(settings, "--retry-after", "0")
    assert back.returncode == 0, back.stdout + back.stderr
    assert len(mail_env.to(REP, title)) == 1
    assert send_mail(settings).returncode == 0
    assert max(Counter(mail_env.outbox_ids()).values()) == 1


CLAIM_AND_HANG = """
import asyncio, sys, time
from server.db.engine import close_pool, open_pool, use_database
from server.notify.sender import MailSender
from server.settings import settings_from_env

async def main():
    settings = settings_from_env()
    engine = use_database(settings)
    await open_pool(engine)
    rows = await MailSender(settings.smtp_url, lease_seconds=float(sys.argv[1])).claim()
    print(len(rows), flush=True)
    time.sleep(600)  # killed here: claimed, never sent, never settled

asyncio.run(main())
"""


async def test_a_sender_killed_after_claiming_loses_nothing_and_sends_nothing_twice(as_staff, as_rep, settings,
                                                                                    mail_env):
    title = f"Door entry {uuid.uuid4().hex[:6]}"
    await raise_and_acknowledge(as_staff, as_rep, title)
    env = {**os.environ, "ESTATEWALK_DATA": str(settings.data_dir)}
    env.pop("DATABASE_URL", None)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    crashing = subprocess.Popen([sys.executable, "-c", CLAIM_AND_HANG, "3"], env=env, stdout=subprocess.PIPE,
                                text=True)
    try:
        assert int(crashing.stdout.readline()) > 0  # it holds the rows now
    finally:
        crashing.send_signal(signal.SIGKILL)
        crashing.wait()
    # While the dead sender's lease lasts, nobody else takes its rows...
    assert "E-mails sent: 0" in send_mail(settings).stdout
    assert mail_env.to(REP, title) == []
    # ...and once it has run out, they are sent, once.
    time.sleep(3.5)
    assert send_mail(settings).returncode == 0
    assert len(mail_env.to(REP, title)) == 1
    assert max(Counter(mail_env.outbox_ids()).values()) == 1


async def test_two_senders_at_once_never_send_the_same_mail(as_staff, as_rep, settings, mail_env):
    tag = uuid.uuid4().hex[:6]
    await issues_at(as_staff, as_rep, ["reported"] * 25, assignee=None, title=f"Batch {tag}")
    # Staff raised them; the rep asks to follow them.
    listed = await as_rep.http.get(f"/api/estates/{as_rep.estate()}/issues", headers=as_rep.headers)
    ids = [row["id"] for row in listed.json() if row["title"] == f"Batch {tag}"]
    await as_rep.push(*[as_rep.mutation("issue.follow", {"id": i}) for i in ids])
    await as_staff.push(*[status(as_staff, i, "wont_fix", note=f"Duplicate batch {tag}") for i in ids])

    env = {**os.environ, "ESTATEWALK_DATA": str(settings.data_dir)}
    env.pop("DATABASE_URL", None)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    senders = [subprocess.Popen([sys.executable, "-m", "server.cli", "send-mail", "--no-digests"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [sender.communicate(timeout=120) for sender in senders]
    assert all(sender.returncode == 0 for sender in senders), outputs
    assert len(mail_env.to(REP, f"Duplicate batch {tag}")) == 25
    assert max(Counter(mail_env.outbox_ids()).values()) == 1


async def test_a_daily_digest_instead_of_one_mail_per_change(as_staff, as_rep, settings, mail_env):
    answer = await as_rep.http.put("/api/me/mail", json={"mode": "daily"}, headers=as_rep.headers)
    assert answer.status_code == 200, answer.text
    title = f"Broken swing {uuid.uuid4().hex[:6]}"
    await raise_and_acknowledge(as_staff, as_rep, title)
    send_mail(settings)
    assert mail_env.to(REP, title) == []

    built = run_cli(settings, "send-mail")
    assert built.returncode == 0, built.stdout + built.stderr
    (digest,) = mail_env.to(REP, title)
    assert re.search(r"\d+ updates? on issues you follow", digest["Subject"])
    assert "Electrician booked" in digest.get_content()
    # Staff get their digest of new and overdue issues on their estates (the demo has overdue ones).
    (staff_digest,) = [m for m in mail_env.to("staff@demo.test") if "overdue on your estates" in m["Subject"]]
    assert title in staff_digest.get_content()
    run_cli(settings, "send-mail")
    assert len(mail_env.to(REP, title)) == 1 and len([
        m for m in mail_env.to("staff@demo.test") if "overdue on your estates" in m["Subject"]]) == 1


async def test_the_server_sends_mail_in_the_background(settings, inbox):
    settings = settings.with_changes(smtp_url=inbox.url, mail_interval_seconds=0.2)
    async with AsyncTestClient(app=create_app(settings)) as client:
        staff = await Person(client, "staff@demo.test").sign_in()
        rep = await Person(client, REP).sign_in()
        title = f"Rats by the bins {uuid.uuid4().hex[:6]}"
        await raise_and_acknowledge(staff, rep, title)
        assert len(inbox.wait_for(REP, title)) == 1


async def test_an_erased_person_gets_none_of_the_mail_queued_for_them(as_staff, as_rep, settings, mail_env):
    title = f"Bins {uuid.uuid4().hex[:6]}"
    await raise_and_acknowledge(as_staff, as_rep, title)  # queues an e-mail to the rep
    erased = await as_staff.http.post(f"/api/people/{as_rep.user_id}/erase", headers=as_staff.headers)
    assert erased.status_code == 200, erased.text
    assert send_mail(settings).returncode == 0
    assert mail_env.to(REP, title) == []
