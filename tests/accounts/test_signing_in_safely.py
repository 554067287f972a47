"""Signing in under attack: the rate limit, devices a person can see and revoke, the password policy, rehashing,
and the audit log of it all."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from server.auth import rate_limit
from server.auth.password_policy import PasswordRefused, check_password
from server.auth.passwords import needs_rehash
from tests.accounts.conftest import run_python
from tests.conftest import Person


async def _login(http, email: str, password: str, **headers: str):
    return await http.post("/api/auth/login", json={"email": email, "password": password}, headers=headers)


async def test_repeated_failures_lock_the_account_even_for_the_right_password(client):
    for _ in range(rate_limit.MAX_FAILURES_PER_ACCOUNT):
        assert (await _login(client, "rep@demo.test", "wrong guess")).status_code == 401
    locked = await _login(client, "rep@demo.test", "demo")
    assert locked.status_code == 429
    assert locked.json()["code"] == "429.1"
    assert int(locked.headers["retry-after"]) > 0
    # Another person's account is not locked by it.
    assert (await _login(client, "staff@demo.test", "demo")).status_code == 200


async def test_one_address_trying_many_accounts_is_stopped(client):
    for number in range(rate_limit.MAX_FAILURES_PER_ADDRESS):
        assert (await _login(client, f"nobody{number}@example.org", "guess")).status_code == 401
    assert (await _login(client, "staff@demo.test", "demo")).status_code == 429


async def test_a_success_clears_the_count_for_that_account(client):
    for _ in range(rate_limit.MAX_FAILURES_PER_ACCOUNT - 1):
        await _login(client, "rep@demo.test", "wrong guess")
    assert (await _login(client, "rep@demo.test", "demo")).status_code == 200
    for _ in range(rate_limit.MAX_FAILURES_PER_ACCOUNT - 1):
        await _login(client, "rep@demo.test", "wrong guess")
    assert (await _login(client, "rep@demo.test", "demo")).status_code == 200


async def test_a_person_sees_their_devices_and_a_revoked_one_is_refused_at_once(client):
    phone = await Person(client, "rep@demo.test").sign_in()
    laptop = await Person(client, "rep@demo.test").sign_in()
    someone_else = await Person(client, "staff@demo.test").sign_in()
    listed = await client.get("/api/auth/sessions", headers=laptop.headers)
    assert listed.status_code == 200
    sessions = listed.json()
    assert len(sessions) == 2 and sum(s["current"] for s in sessions) == 1
    phone_session = next(s for s in sessions if not s["current"])

    # Nobody can revoke another person's session, or learn that it exists.
    refused = await client.delete(f"/api/auth/sessions/{phone_session['id']}", headers=someone_else.headers)
    assert refused.status_code == 404
    assert (await client.get("/api/auth/me", headers=phone.headers)).status_code == 200

    revoked = await client.delete(f"/api/auth/sessions/{phone_session['id']}", headers=laptop.headers)
    assert revoked.status_code == 204
    gone = await client.get("/api/auth/me", headers=phone.headers)
    assert gone.status_code == 401 and gone.json()["code"] == "401.1"
    pull = await client.post("/api/sync/pull", headers=phone.headers, json={"client_id": phone.client_id,
                                                                          "cursor": None, "limit": 10})
    assert pull.status_code == 401
    assert (await client.get("/api/auth/me", headers=laptop.headers)).status_code == 200
    assert len((await client.get("/api/auth/sessions", headers=laptop.headers)).json()) == 1


@pytest.mark.parametrize("password", ["short", "password123", "P@ssw0rd", "qwertyuiop", "aaaaaaaaaaaa",
                                      "x" * 129, "amina@example.org"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(PasswordRefused):
        check_password(password, "amina@example.org")


@pytest.mark.parametrize("password", ["correct horse battery", "tulips by the bin store", "Zq8!x" * 25,
                                      "eight ch"])
def test_long_or_unusual_passwords_need_no_digits_or_symbols(password):
    check_password(password, "amina@example.org")


async def test_a_hash_made_with_weaker_settings_is_upgraded_at_sign_in(client, settings):
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("demo")
    assert needs_rehash(weak)
    run_python(settings, f"""
from server.db.tables import AppUser
await AppUser.update({{AppUser.password_hash: {weak!r}}}).where(AppUser.email == "rep@demo.test")
""")
    assert (await _login(client, "rep@demo.test", "demo")).status_code == 200
    stored = run_python(settings, """
from server.db.tables import AppUser
row = await AppUser.select(AppUser.password_hash).where(AppUser.email == "rep@demo.test").first()
print(row["password_hash"])
""").strip()
    assert stored != weak and not needs_rehash(stored)
    assert (await _login(client, "rep@demo.test", "demo")).status_code == 200


async def test_sign_ins_sign_outs_and_revocations_are_audited(client, as_staff):
    rep = await Person(client, "rep@demo.test").sign_in()
    await _login(client, "rep@demo.test", "wrong guess")
    other = await Person(client, "rep@demo.test").sign_in()
    other_id = next(s["id"] for s in (await client.get("/api/auth/sessions", headers=rep.headers)).json()
                    if not s["current"])
    await client.delete(f"/api/auth/sessions/{other_id}", headers=rep.headers)
    await client.post("/api/auth/logout", headers=rep.headers)
    export = await client.get(f"/api/people/{rep.user_id}/export", headers=as_staff.headers)
    assert export.status_code == 200, export.text
    kinds = [entry["kind"] for entry in export.json()["audit_entries"]]
    for kind in ("sign_in.ok", "sign_in.failed", "session.revoked", "sign_out"):
        assert kind in kinds, kinds
    assert other.token not in export.text, "no token ever lands in the audit log"
