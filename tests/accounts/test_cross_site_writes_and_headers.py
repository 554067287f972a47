"""Cookie-authenticated writes must come from the app's own pages; every answer carries the security headers."""

from __future__ import annotations

from tests.conftest import Person

PULL = {"cursor": None, "limit": 10}


async def _cookie_person(client) -> Person:
    person = await Person(client, "rep@demo.test").sign_in()
    assert client.cookies.get("estatewalk_session") == person.token
    return person


async def test_a_cookie_write_from_another_site_is_refused(client):
    person = await _cookie_person(client)
    body = {"client_id": person.client_id, **PULL}
    forged = await client.post("/api/sync/pull", json=body, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403 and forged.json()["code"] == "403.2"
    no_origin = await client.post("/api/sync/pull", json=body)
    assert no_origin.status_code == 403 and no_origin.json()["code"] == "403.2"
    cross_site = await client.post("/api/sync/pull", json=body, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403
    null_origin = await client.post("/api/auth/logout", headers={"Origin": "null"})
    assert null_origin.status_code == 403
    assert (await client.get("/api/auth/me")).status_code == 200, "the forged sign-out did nothing"


async def test_the_apps_own_same_origin_writes_pass(client):
    person = await _cookie_person(client)
    body = {"client_id": person.client_id, **PULL}
    own = await client.post("/api/sync/pull", json=body, headers={"Origin": str(client.base_url).rstrip("/")})
    assert own.status_code == 200, own.text
    fetch_metadata = await client.post("/api/sync/pull", json=body, headers={"Sec-Fetch-Site": "same-origin"})
    assert fetch_metadata.status_code == 200
    # Reads need no proof: a cross-site read cannot see the answer, and SameSite=Strict withholds the cookie.
    assert (await client.get("/api/auth/me")).status_code == 200


async def test_bearer_clients_need_no_origin_even_with_a_cookie_around(client):
    person = await _cookie_person(client)
    answer = await client.post("/api/sync/pull", headers=person.headers,
                               json={"client_id": person.client_id, **PULL})
    assert answer.status_code == 200


async def test_a_sign_in_posted_from_another_site_is_refused(client):
    forged = await client.post("/api/auth/login", json={"email": "rep@demo.test", "password": "demo"},
                               headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403


async def test_every_answer_carries_the_security_headers(client, as_rep):
    for answer in (await client.get("/"), await client.get("/sw.js"), await client.get("/api/health"),
                   await client.get("/api/auth/me"), await client.get("/api/no-such-route"),
                   await client.get("/api/auth/me", headers=as_rep.headers)):
        assert answer.headers["x-content-type-options"] == "nosniff", answer.url
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["x-frame-options"] == "DENY"
        assert "camera=(self)" in answer.headers["permissions-policy"]
        policy = answer.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, answer.url
        assert "unsafe-inline" not in policy
