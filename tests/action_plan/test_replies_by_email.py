"""Conversations by e-mail: a reply to an update lands in the issue's timeline, and bad mail never does.

Everything here is real: the outbox e-mail goes through ``estatewalk send-mail`` to an SMTP server; the reply
comes back through a real SMTP conversation into ``estatewalk receive-mail`` (its own process), or is put in
a real Dovecot mailbox and fetched by ``estatewalk fetch-mail``; staff see the result by pulling, as their phone
does.
"""

from __future__ import annotations

import re
import smtplib
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from server.demo import FIRST_ESTATE
from tests.action_plan.conftest import REPLY_DOMAIN, Dovecot, Receiver, command_env, wait_for_port
from tests.conftest import Person, free_port, new_issue_args, run_cli
from tests.photos.images import phone_photo, sha256

REP = "rep@demo.test"
ADDRESS = re.compile(r"^reply\+[a-z2-7]{37}@" + re.escape(REPLY_DOMAIN) + "$")


def send_mail(settings, **env: str) -> subprocess.CompletedProcess:
    if env:
        return subprocess.run([sys.executable, "-m", "server.cli", "send-mail", "--no-digests"],
                              env=command_env(settings, **env), capture_output=True, text=True, timeout=120)
    return run_cli(settings, "send-mail", "--no-digests")


async def an_update_for_the_rep(as_staff: Person, as_rep: Person, settings, inbox, title: str,
                                **env: str) -> tuple[str, EmailMessage]:
    """The rep raises an issue; staff acknowledge it; the rep is e-mailed about it (through the outbox)."""
    args = new_issue_args(as_rep.estate(), title=title)
    await as_rep.push(as_rep.mutation("issue.create", args))
    await as_staff.push(
        as_staff.mutation("issue.update", {"id": args["id"], "fields": {"owner_id": as_staff.user_id,
                                                                         "due_date": "2030-01-31"}}),
        as_staff.mutation("issue.status", {"id": args["id"], "status": "acknowledged",
                                           "note": "Electrician booked"}))
    sent = send_mail(settings, **env)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    (update,) = inbox.to(REP, title)
    return args["id"], update


def reply(to: EmailMessage, text: str, *, photo: bytes | None = None, sender: str = REP,
          address: str | None = None, **headers: str) -> bytes:
    """A reply as Gmail writes it: the new text on top, the update quoted below, a photo attached."""
    quoted = "\n".join(f"> {line}" for line in to.get_content().splitlines())
    message = EmailMessage()
    message["From"] = f"Ayşe Demir <{sender}>"
    message["To"] = address or to["Reply-To"]
    message["Subject"] = f"Re: {to['Subject']}"
    message["Message-ID"] = make_msgid(domain="mail.example.org")
    message["In-Reply-To"] = to["Message-ID"]
    message["References"] = f"{to['References']} {to['Message-ID']}"
    for name, value in headers.items():
        del message[name.replace("_", "-")]
        message[name.replace("_", "-")] = value
    message.set_content(f"{text}\n\nOn Wed, 2 Dec 2026 at 10:15, Estatewalk <estatewalk@council.example> "
                        f"wrote:\n\n{quoted}\n")
    if photo is not None:
        message.add_attachment(photo, maintype="image", subtype="jpeg", filename="IMG_2041.jpg")
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))  # as it travels: CRLF lines


DELIVERY_REPORT = """From: Mail Delivery System <MAILER-DAEMON@mx.example.org>
To: TO
Subject: Undelivered Mail Returned to Sender
Message-ID: <20261202101800.4F2A11C0042@mx.example.org>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="4F2A11C0042.1764670680/mx.example.org"

--4F2A11C0042.1764670680/mx.example.org
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.org.
I'm sorry to have to inform you that your message could not be delivered.

--4F2A11C0042.1764670680/mx.example.org
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; nobody@example.org
Action: failed
Status: 5.1.1

--4F2A11C0042.1764670680/mx.example.org--
"""


async def everything(person: Person):
    """What a phone holds after pulling from the start."""
    person.cursor = None
    return await person.replica()


def comments_on(replica, issue_id: str) -> list[dict]:
    return [e for e in replica.events_of(issue_id) if e["kind"] == "comment"]


LARKSPUR = str(FIRST_ESTATE)  # the rep's estate (staff are on both demo estates)


async def inbound(person: Person, show: str = "review") -> list[dict]:
    """What staff see of the replies received about the rep's estate."""
    answer = await person.http.get(f"/api/estates/{LARKSPUR}/mail/inbound", params={"show": show},
                                   headers=person.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_a_rep_answers_an_update_by_email_and_staff_phones_pull_it(as_staff, as_rep, settings, replies_env,
                                                                          receiver: Receiver):
    title = f"Stairwell light {uuid.uuid4().hex[:6]}"
    issue_id, update = await an_update_for_the_rep(as_staff, as_rep, settings, replies_env, title)
    # The e-mail can be answered, and threads with every other e-mail about this issue.
    assert ADDRESS.match(update["Reply-To"]), update["Reply-To"]
    assert update["Message-ID"].endswith(f"@{REPLY_DOMAIN}>")
    assert update["In-Reply-To"].strip() == update["References"].strip() == f"<issue.{issue_id}@{REPLY_DOMAIN}>"
    assert update["Auto-Submitted"] == "auto-generated"
    assert update.get_content().startswith("##- Reply above this line")
    await as_staff.push(as_staff.mutation("issue.follow", {"id": issue_id}))

    photo = phone_photo(7)
    message = reply(update, "It's working again now, thank you.\nThe sensor is slow though.", photo=photo)
    # Two mail servers (or one retrying) hand the same message over at the same moment.
    with ThreadPoolExecutor(2) as both:
        answers = list(both.map(lambda _: receiver.send(message, [update["Reply-To"]]), range(2)))
    assert answers == [{}, {}]

    timeline = await everything(as_staff)
    (comment,) = comments_on(timeline, issue_id)
    assert comment["data"]["body"] == "It's working again now, thank you.\nThe sensor is slow though."
    assert comment["data"]["via"] == "email" and comment["actor_id"] == as_rep.user_id
    (attached,) = [p for p in timeline.entities["photo"].values() if p["issue_id"] == issue_id]
    assert attached["sha256"] == sha256(photo) and attached["uploaded"] and attached["added_by"] == as_rep.user_id
    shown = await as_staff.http.get(f"/api/photos/{sha256(photo)}", headers=as_staff.headers)
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert b"Larkspur" not in shown.content  # the pipeline re-encoded it: the phone's comment is gone

    # And again later (it never heard our answer): still one comment.
    assert receiver.send(message, [update["Reply-To"]]) == {}
    assert len(comments_on(await everything(as_staff), issue_id)) == 1

    # Staff follow the issue and hear what the rep wrote; the rep is not e-mailed their own words.
    assert send_mail(settings).returncode == 0
    assert replies_env.to("staff@demo.test", "The sensor is slow though")
    assert replies_env.to(REP, "The sensor is slow though") == []
    # Nothing about it waits in the quarantine: the sender was the rep herself.
    assert await inbound(as_staff) == []


async def test_a_reply_put_in_a_mailbox_is_fetched_once_even_by_two_pollers_at_once(
        as_staff, as_rep, settings, replies_env, dovecot: Dovecot, monkeypatch):
    monkeypatch.setenv("ESTATEWALK_IMAP_URL", dovecot.url)
    title = f"Bin store door {uuid.uuid4().hex[:6]}"
    issue_id, update = await an_update_for_the_rep(as_staff, as_rep, settings, replies_env, title)
    photo = phone_photo(8)
    message = reply(update, "Still not closing. Foxes again last night.", photo=photo)
    # The provider delivered it twice (it happens): the same message, twice in the mailbox.
    dovecot.deliver(message)
    dovecot.deliver(message)

    env = command_env(settings)
    pollers = [subprocess.Popen([sys.executable, "-m", "server.cli", "fetch-mail"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [poller.communicate(timeout=120) for poller in pollers]
    assert all(poller.returncode == 0 for poller in pollers), outputs

    timeline = await everything(as_staff)
    (comment,) = comments_on(timeline, issue_id)
    assert comment["data"]["body"] == "Still not closing. Foxes again last night."
    assert comment["data"]["via"] == "email"
    assert [p["sha256"] for p in timeline.entities["photo"].values() if p["issue_id"] == issue_id] == [sha256(photo)]
    # Every message handled was moved out of the inbox; another pass finds nothing to do.
    assert dovecot.folder("INBOX") == [] and len(dovecot.folder("Estatewalk")) == 2
    again = run_cli(settings, "fetch-mail")
    assert again.returncode == 0 and "0 added" in again.stdout, again.stdout + again.stderr

    check = run_cli(settings, "check")
    assert "ok    IMAP mailbox" in check.stdout and "ok    reply addresses" in check.stdout, check.stdout


async def test_forged_expired_and_automatic_replies_make_no_comment_and_wait_in_the_quarantine(
        as_staff, as_rep, as_rep2, settings, replies_env, receiver: Receiver):
    title = f"Lift {uuid.uuid4().hex[:6]}"
    issue_id, update = await an_update_for_the_rep(as_staff, as_rep, settings, replies_env, title)
    real = update["Reply-To"]
    token = real.split("+", 1)[1].split("@")[0]
    forged = f"reply+{'a' * 37}@{REPLY_DOMAIN}"
    tampered = f"reply+{token[:10]}{'b' if token[10] != 'b' else 'c'}{token[11:]}@{REPLY_DOMAIN}"

    receiver.send(reply(update, "Forged: close this issue", address=forged), [forged])
    receiver.send(reply(update, "Tampered: close this issue", address=tampered), [tampered])
    receiver.send(reply(update, "I am out of the office until Monday.", Auto_Submitted="auto-replied",
                        Subject="Automatic reply: Estatewalk"), [real])
    bounce = DELIVERY_REPORT.replace("TO", real).replace("\n", "\r\n").encode()
    receiver.send(bounce, [real], sender="")  # a delivery report comes from the empty sender <>

    # An address that has expired: a new update sent with addresses that last no time at all.
    await as_staff.push(as_staff.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": issue_id,
                                                            "body": "Engineer coming Tuesday"}))
    assert send_mail(settings, ESTATEWALK_REPLY_ADDRESS_DAYS="0.000001").returncode == 0
    (expiring,) = replies_env.to(REP, "Engineer coming Tuesday")
    assert expiring["Reply-To"] != real
    receiver.send(reply(expiring, "Tuesday is fine"), [expiring["Reply-To"]])

    # Too large: refused during the SMTP conversation, with words the sender's mail server passes on; at once
    # when the size is announced, after the data (and kept in the quarantine) when it is not.
    too_large = reply(update, "Photos of the lift", photo=b"\xff" * (receiver.max_bytes + 1))
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        receiver.send(too_large, [real])
    assert refused.value.smtp_code == 552 and b"at most 195 kB" in refused.value.smtp_error
    with pytest.raises(smtplib.SMTPDataError) as refused_later:
        receiver.send(too_large, [real], announce_size=False)
    assert refused_later.value.smtp_code == 552 and b"Message too large" in refused_later.value.smtp_error
    # Not a reply address at all: refused at RCPT, so this server is nobody's relay.
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        receiver.send(reply(update, "hello"), ["someone@example.org"])

    assert [c for c in comments_on(await everything(as_staff), issue_id) if c["actor_id"] == as_rep.user_id] == []
    kept = await inbound(as_staff)
    reasons = sorted(entry["reason"] for entry in kept)
    assert reasons == sorted(["unknown_token", "tampered_token", "auto_reply", "bounce", "expired_token",
                              "too_large"]), kept
    assert all(entry["outcome"] in ("quarantined", "refused") for entry in kept)
    forged_entry = next(entry for entry in kept if entry["reason"] == "unknown_token")
    assert "Forged: close this issue" in forged_entry["text"] and forged_entry["person_id"] is None
    assert next(e for e in kept if e["reason"] == "expired_token")["person_id"] == as_rep.user_id

    # Only the rep is told, about the one she can act on (expired); nobody answers a machine or a forger.
    assert send_mail(settings).returncode == 0
    (notice,) = replies_env.to(REP, "has expired")
    assert "Reply-To" not in notice and notice["Auto-Submitted"] == "auto-generated"

    # Staff of the estate read the quarantine; a rep may not (403), another estate's rep sees no such estate.
    page = await as_staff.http.get(f"/api/estates/{LARKSPUR}/mail/inbound.html", headers=as_staff.headers)
    assert page.status_code == 200 and "forged" in page.text and "<script" not in page.text
    for person, status in ((as_rep, 403), (as_rep2, 404)):
        answer = await person.http.get(f"/api/estates/{as_rep.estate()}/mail/inbound", headers=person.headers)
        assert answer.status_code == status


async def test_a_reply_from_another_address_is_taken_but_flagged_for_staff(as_staff, as_rep, settings, replies_env,
                                                                           receiver: Receiver):
    title = f"Graffiti {uuid.uuid4().hex[:6]}"
    issue_id, update = await an_update_for_the_rep(as_staff, as_rep, settings, replies_env, title)
    receiver.send(reply(update, "My husband here: it has been painted over.", sender="husband@example.org"),
                  [update["Reply-To"]], sender="husband@example.org")
    (comment,) = comments_on(await everything(as_staff), issue_id)
    assert comment["actor_id"] == as_rep.user_id
    (flagged,) = await inbound(as_staff)
    assert flagged["reason"] == "sender_mismatch" and flagged["outcome"] == "comment" and flagged["flagged"]
    assert flagged["from_address"] == "husband@example.org" and flagged["comment_id"]

    # What the rep e-mailed is part of what is held about her, and goes when she is erased; her comment stays.
    export = await as_staff.http.get(f"/api/people/{as_rep.user_id}/export", headers=as_staff.headers)
    assert [r["new_text"] for r in export.json()["replies_by_email"]] == ["My husband here: it has been painted over."]
    erased = await as_staff.http.post(f"/api/people/{as_rep.user_id}/erase", headers=as_staff.headers)
    assert erased.status_code == 200
    (blanked,) = await inbound(as_staff)
    assert blanked["from_address"] == "" and blanked["text"] == ""
    assert len(comments_on(await everything(as_staff), issue_id)) == 1


async def test_a_reply_from_someone_who_has_left_the_estate_makes_no_comment(as_staff, as_rep, settings, replies_env,
                                                                             receiver: Receiver):
    title = f"Swing {uuid.uuid4().hex[:6]}"
    issue_id, update = await an_update_for_the_rep(as_staff, as_rep, settings, replies_env, title)
    left = run_cli(settings, "user", REP, "--estate", "Larkspur Estate", "--remove")
    assert left.returncode == 0, left.stderr
    receiver.send(reply(update, "I still want a say on this", photo=phone_photo(9)), [update["Reply-To"]])

    timeline = await everything(as_staff)
    assert comments_on(timeline, issue_id) == []
    assert not [p for p in timeline.entities.get("photo", {}).values() if p["issue_id"] == issue_id]
    (kept,) = await inbound(as_staff)
    assert kept["reason"] == "no_access" and kept["outcome"] == "quarantined"
    # Not even the photo's bytes were stored for someone without access.
    shown = await as_staff.http.get(f"/api/photos/{sha256(phone_photo(9))}", headers=as_staff.headers)
    assert shown.status_code == 404


async def test_replies_to_a_digest_go_under_the_issue_they_answer(as_staff, as_rep, settings, replies_env,
                                                                  receiver: Receiver):
    assert (await as_rep.http.put("/api/me/mail", json={"mode": "daily"}, headers=as_rep.headers)).status_code == 200
    tag = uuid.uuid4().hex[:6]
    ids = []
    for title in (f"Rats {tag}", f"Gate {tag}"):
        args = new_issue_args(as_rep.estate(), title=title)
        ids.append(args["id"])
        await as_rep.push(as_rep.mutation("issue.create", args))
        await as_staff.push(as_staff.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": args["id"],
                                                                "body": f"Looking at it ({title})"}))
    assert run_cli(settings, "send-mail").returncode == 0
    (digest,) = [m for m in replies_env.to(REP, tag)
                 if re.search(r"\d+ updates? on issues you follow", m["Subject"])]
    under_each = re.findall(r"Reply about this issue: (reply\+\S+)", digest.get_content())
    assert len(under_each) == 2 and digest["Reply-To"] not in under_each

    # To the digest itself: which issue? It says so back, and nothing is added.
    receiver.send(reply(digest, "Which one is this about?"), [digest["Reply-To"]])
    # To the address under the second issue: a comment there.
    receiver.send(reply(digest, "The gate still squeaks", address=under_each[1]), [under_each[1]])
    timeline = await everything(as_staff)
    assert [c["data"]["body"] for c in comments_on(timeline, ids[1]) if c["actor_id"] == as_rep.user_id] == [
        "The gate still squeaks"]
    assert [c for c in comments_on(timeline, ids[0]) if c["actor_id"] == as_rep.user_id] == []
    (kept,) = await inbound(as_staff)
    assert kept["reason"] == "digest_reply"


async def test_lmtp_delivery_and_withdrawn_reply_addresses(as_staff, as_rep, settings, replies_env, monkeypatch):
    title = f"Noticeboard {uuid.uuid4().hex[:6]}"
    issue_id, update = await an_update_for_the_rep(as_staff, as_rep, settings, replies_env, title)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "server.cli", "receive-mail", "--lmtp", "--listen",
                                f"127.0.0.1:{port}"], env=command_env(settings), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_port(port, process, "receive-mail --lmtp")
        lmtp = Receiver(port=port, max_bytes=0)
        assert lmtp.send(reply(update, "Updated this morning, thanks"), [update["Reply-To"]], lmtp=True) == {}
        assert [c["data"]["body"] for c in comments_on(await everything(as_staff), issue_id)] == [
            "Updated this morning, thanks"]
        # The rep withdraws her reply addresses (someone else reads her mailbox now): the old one stops working.
        answer = await as_rep.http.delete("/api/me/mail/reply-addresses", headers=as_rep.headers)
        assert answer.status_code == 200 and answer.json()["revoked"] >= 1
        lmtp.send(reply(update, "Someone else writing"), [update["Reply-To"]], lmtp=True)
        assert len(comments_on(await everything(as_staff), issue_id)) == 1
        assert [e["reason"] for e in await inbound(as_staff)] == ["revoked_token"]
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_check_and_fetch_mail_say_what_is_wrong_with_the_inbound_configuration(settings, replies_env, monkeypatch):
    assert run_cli(settings, "migrate").returncode == 0
    monkeypatch.setenv("ESTATEWALK_REPLY_SECRET", "too short")
    monkeypatch.setenv("ESTATEWALK_IMAP_URL", f"imap://replies:password@127.0.0.1:{free_port()}/INBOX")
    check = run_cli(settings, "check")
    assert check.returncode == 1, check.stdout
    assert "FAIL  reply addresses: ESTATEWALK_REPLY_SECRET must be at least 32 characters" in check.stdout
    assert "FAIL  IMAP mailbox" in check.stdout
    fetch = run_cli(settings, "fetch-mail")
    assert fetch.returncode == 1 and "could not be read" in fetch.stderr
    monkeypatch.delenv("ESTATEWALK_IMAP_URL")
    monkeypatch.delenv("ESTATEWALK_REPLY_SECRET")
    receive = run_cli(settings, "receive-mail")
    assert receive.returncode == 2 and "ESTATEWALK_REPLY_SECRET" in receive.stderr
