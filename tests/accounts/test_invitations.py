"""Staff invite a new TRA rep; the link works once, expires, and lets them choose their own password."""

from __future__ import annotations

from tests.accounts.conftest import run_python
from tests.conftest import Person


async def _invite(staff: Person, email: str = "new.rep@example.org", role: str = "tra_rep", estate: str | None = None,
                  **extra):
    return await staff.http.post(f"/api/estates/{estate or staff.estate()}/invites", headers=staff.headers,
                                 json={"email": email, "role": role, **extra})


async def test_an_invited_resident_joins_once_with_their_own_password(client, as_staff):
    made = await _invite(as_staff)
    assert made.status_code == 201, made.text
    invite = made.json()
    assert invite["token"] in invite["link"] and invite["role"] == "tra_rep"

    weak = await client.post(f"/api/invites/{invite['token']}/accept",
                             json={"name": "Grace Obi", "password": "password123"})
    assert weak.status_code == 422 and weak.json()["code"] == "422.1"
    accepted = await client.post(f"/api/invites/{invite['token']}/accept",
                                 json={"name": "Grace Obi", "password": "tulips by the bin store"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["estate_id"] == as_staff.estate()

    grace = await Person(client, "new.rep@example.org").sign_in("tulips by the bin store")
    assert [m["role"] for m in grace.memberships] == ["tra_rep"]
    # The estate's phones learn the new member's name (never the address).
    members = (await as_staff.replica()).entities["member"].values()
    assert any(m["name"] == "Grace Obi" for m in members)

    again = await client.post(f"/api/invites/{invite['token']}/accept",
                              json={"name": "Someone Else", "password": "another long phrase"})
    assert again.status_code == 410 and again.json()["code"] == "410.1"
    export = (await client.get(f"/api/people/{grace.user_id}/export", headers=as_staff.headers)).json()
    assert {"invite.accepted", "membership.added"} <= {e["kind"] for e in export["audit_entries"]}


async def test_an_expired_invite_and_an_unknown_one_are_refused(client, as_staff, settings):
    invite = (await _invite(as_staff, "late@example.org")).json()
    run_python(settings, f"""
import datetime as dt
from server.db.tables import Invite
await Invite.update({{Invite.expires_at: dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)}}).where(
    Invite.id == "{invite['id']}")
""")
    late = await client.post(f"/api/invites/{invite['token']}/accept",
                             json={"name": "Late", "password": "tulips by the bin store"})
    assert late.status_code == 410
    unknown = await client.post("/api/invites/not-a-real-token/accept",
                                json={"name": "Nobody", "password": "tulips by the bin store"})
    assert unknown.status_code == 404


async def test_only_staff_of_the_estate_can_invite(client, as_rep, as_rep2, as_contractor):
    assert (await _invite(as_rep)).status_code == 403
    assert (await _invite(as_contractor)).status_code == 403
    other_estate = await client.post(f"/api/estates/{as_rep.estate()}/invites", headers=as_rep2.headers,
                                     json={"email": "x@example.org", "role": "tra_rep"})
    assert other_estate.status_code == 404
    client.cookies.clear()  # the test client keeps the last sign-in's cookie, as a browser would
    anonymous = await client.post(f"/api/estates/{as_rep.estate()}/invites",
                                  json={"email": "x@example.org", "role": "tra_rep"})
    assert anonymous.status_code == 401


async def test_someone_with_an_account_joins_another_estate_by_signing_in(client, as_staff, as_rep2):
    """No password on the invitation form (an oracle); see tests/accounts/test_passwords_and_limits.py."""
    client.cookies.clear()  # API clients use their Bearer tokens; a browser's cookie would need its Origin
    elsewhere = next(m["estate_id"] for m in as_staff.memberships if m["estate_id"] != as_rep2.estate())
    invite = (await _invite(as_staff, "rep2@demo.test", estate=elsewhere)).json()
    with_password = await client.post(f"/api/invites/{invite['token']}/accept",
                                      json={"name": "ignored", "password": "demo"})
    assert with_password.status_code == 401 and with_password.json()["code"] == "401.3"
    joined = await client.post(f"/api/invites/{invite['token']}/accept", headers=as_rep2.headers, json={})
    assert joined.status_code == 200, joined.text
    me = await client.get("/api/auth/me", headers=as_rep2.headers)
    assert len(me.json()["memberships"]) == 2
