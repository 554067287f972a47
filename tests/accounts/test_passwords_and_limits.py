"""Sign-in limits that hold under concurrency, invitations to existing accounts without their password, and
changing a password (API and command line). On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections import Counter

from server.auth import rate_limit
from tests.accounts.conftest import run_python
from tests.action_plan.conftest import inbox, mail_env  # noqa: F401 - real SMTP fixtures
from tests.conftest import Person, run_cli

NEW_PASSWORD = "tulips by the bin store"


async def _login(http, email: str, password: str):
    return await http.post("/api/auth/login", json={"email": email, "password": password})


async def test_fifty_parallel_wrong_passwords_cannot_slip_under_the_limit(client):
    answers = await asyncio.gather(*(_login(client, "rep@demo.test", f"guess {n}") for n in range(50)))
    codes = Counter(answer.status_code for answer in answers)
    # Exactly the allowed number were checked; every other attempt was refused before its password was.
    assert codes == {401: rate_limit.MAX_FAILURES_PER_ACCOUNT, 429: 50 - rate_limit.MAX_FAILURES_PER_ACCOUNT}, codes
    assert (await _login(client, "rep@demo.test", "demo")).status_code == 429


async def test_parallel_attempts_on_many_accounts_from_one_address_are_stopped_too(client):
    answers = await asyncio.gather(*(_login(client, f"nobody{n}@example.org", "guess") for n in range(50)))
    codes = Counter(answer.status_code for answer in answers)
    assert codes == {401: rate_limit.MAX_FAILURES_PER_ADDRESS, 429: 50 - rate_limit.MAX_FAILURES_PER_ADDRESS}, codes


async def test_people_signing_in_successfully_from_one_address_are_never_limited(client):
    for _ in range(rate_limit.MAX_FAILURES_PER_ADDRESS + 5):
        assert (await _login(client, "staff@demo.test", "demo")).status_code == 200


async def _invite(staff: Person, email: str, estate: str | None = None):
    answer = await staff.http.post(f"/api/estates/{estate or staff.estate()}/invites", headers=staff.headers,
                                   json={"email": email, "role": "tra_rep"})
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_guessing_invitation_links_is_limited_per_link_and_per_address(client):
    for _ in range(rate_limit.MAX_INVITE_ATTEMPTS_PER_LINK):
        assert (await client.get("/api/invites/not-a-real-link")).status_code == 404
    limited = await client.post("/api/invites/not-a-real-link/accept", json={"name": "X", "password": "y" * 12})
    assert limited.status_code == 429 and limited.json()["code"] == "429.1"
    answers = await asyncio.gather(*(client.post(f"/api/invites/guess-{n}/accept", json={})
                                     for n in range(40)))
    codes = Counter(answer.status_code for answer in answers)
    # The per-address count already holds the six attempts above.
    allowed = rate_limit.MAX_INVITE_ATTEMPTS_PER_ADDRESS - rate_limit.MAX_INVITE_ATTEMPTS_PER_LINK - 1
    assert codes == {404: allowed, 429: 40 - allowed}, codes


async def test_an_invitation_to_an_existing_account_never_asks_for_its_password(client, as_staff, as_rep2):
    client.cookies.clear()  # API clients use their Bearer tokens; a browser's cookie would need its Origin
    elsewhere = next(m["estate_id"] for m in as_staff.memberships if m["estate_id"] != as_rep2.estate())
    invite = await _invite(as_staff, "rep2@demo.test", estate=elsewhere)
    shown = (await client.get(f"/api/invites/{invite['token']}")).json()
    assert shown["existing_account"] is True and shown["email"] == "rep2@demo.test"

    # Not signed in: the right password does not help, the wrong one learns nothing. Sign in first.
    for password in ("demo", "not their password"):
        answer = await client.post(f"/api/invites/{invite['token']}/accept",
                                   json={"name": "Impostor", "password": password})
        assert answer.status_code == 401 and answer.json()["code"] == "401.3", answer.text
    # Signed in as someone else: not theirs to accept.
    other = await client.post(f"/api/invites/{invite['token']}/accept", headers=as_staff.headers, json={})
    assert other.status_code == 403
    assert len((await client.get("/api/auth/me", headers=as_rep2.headers)).json()["memberships"]) == 1

    joined = await client.post(f"/api/invites/{invite['token']}/accept", headers=as_rep2.headers, json={})
    assert joined.status_code == 200, joined.text
    assert len((await client.get("/api/auth/me", headers=as_rep2.headers)).json()["memberships"]) == 2
    assert (await client.post(f"/api/invites/{invite['token']}/accept", headers=as_rep2.headers,
                              json={})).status_code == 410


async def test_changing_a_password_ends_other_sessions_and_tells_the_person(client, settings, mail_env):
    phone = await Person(client, "rep@demo.test").sign_in()
    laptop = await Person(client, "rep@demo.test").sign_in()
    change = "/api/auth/password"

    wrong = await client.post(change, headers=laptop.headers,
                              json={"current_password": "nope", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 401 and wrong.json()["code"] == "401.2"
    weak = await client.post(change, headers=laptop.headers,
                             json={"current_password": "demo", "new_password": "password123"})
    assert weak.status_code == 422
    assert (await client.get("/api/auth/me", headers=phone.headers)).status_code == 200  # nothing changed yet
    nul = await client.post(change, headers=laptop.headers,
                            json={"current_password": "demo", "new_password": "tulips\u0000by the bins"})
    assert nul.status_code == 400 and "new_password" in nul.json()["detail"]

    done = await client.post(change, headers=laptop.headers,
                             json={"current_password": "demo", "new_password": NEW_PASSWORD})
    assert done.status_code == 200 and done.json() == {"changed": True, "other_sessions_ended": 1}
    assert (await client.get("/api/auth/me", headers=phone.headers)).status_code == 401
    assert (await client.get("/api/auth/me", headers=laptop.headers)).status_code == 200
    assert (await _login(client, "rep@demo.test", "demo")).status_code == 401
    assert (await _login(client, "rep@demo.test", NEW_PASSWORD)).status_code == 200

    stored = run_python(settings, """
from server.db.tables import AuditEntry, AppUser
row = await AppUser.select(AppUser.password_hash).where(AppUser.email == "rep@demo.test").first()
print(row["password_hash"].split("$")[1])
print(",".join(r["kind"] for r in await AuditEntry.select(AuditEntry.kind).where(AuditEntry.kind.like("password%"))))
""").split()
    assert stored[0] == "argon2id"
    assert stored[1].split(",").count("password.changed") == 1 and "password.change_failed" in stored[1]

    sent = run_cli(settings, "send-mail", "--no-digests")
    assert sent.returncode == 0, sent.stderr
    mails = mail_env.to("rep@demo.test", "password of your Estatewalk account was changed")
    assert len(mails) == 1 and "other signed-in device was signed out" in mails[0].get_content()


async def test_wrong_current_passwords_are_limited_like_sign_ins(client):
    person = await Person(client, "staff@demo.test").sign_in()
    codes = Counter([(await client.post("/api/auth/password", headers=person.headers,
                                        json={"current_password": f"guess {n}", "new_password": NEW_PASSWORD})
                      ).status_code for n in range(rate_limit.MAX_FAILURES_PER_ACCOUNT + 2)])
    assert codes == {401: rate_limit.MAX_FAILURES_PER_ACCOUNT, 429: 2}


async def test_the_command_line_changes_an_existing_persons_password_or_says_why_not(client, settings):
    person = await Person(client, "rep@demo.test").sign_in()
    weak = run_cli(settings, "user", "rep@demo.test", "--password", "short")
    assert weak.returncode != 0 and "not changed" in weak.stderr
    assert (await _login(client, "rep@demo.test", "demo")).status_code == 200

    changed = run_cli(settings, "user", "rep@demo.test", "--password", NEW_PASSWORD)
    assert changed.returncode == 0, changed.stderr
    assert "Changed the password of rep@demo.test" in changed.stdout
    assert (await client.get("/api/auth/me", headers=person.headers)).status_code == 401
    assert (await _login(client, "rep@demo.test", NEW_PASSWORD)).status_code == 200
