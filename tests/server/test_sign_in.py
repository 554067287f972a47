"""Signing in: tokens for API clients, a cookie for the app, one answer for every bad attempt."""

from server.settings import Settings


async def test_sign_in_answers_a_token_the_person_and_their_estates(client):
    answer = await client.post("/api/auth/login", json={"email": "rep@demo.test", "password": "demo"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["user"]["email"] == "rep@demo.test" and body["token"]
    assert [(m["estate_name"], m["role"]) for m in body["memberships"]] == [("Larkspur Estate", "tra_rep")]
    cookie = answer.headers["set-cookie"].lower()
    assert f"estatewalk_session={body['token'].lower()}" in cookie
    assert "httponly" in cookie and "samesite=strict" in cookie


async def test_wrong_password_and_unknown_email_get_the_same_401(client):
    wrong = await client.post("/api/auth/login", json={"email": "rep@demo.test", "password": "nope"})
    unknown = await client.post("/api/auth/login", json={"email": "nobody@demo.test", "password": "demo"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() and wrong.json()["code"] == "401.2"


async def test_a_token_works_until_sign_out(as_rep):
    me = await as_rep.http.get("/api/auth/me", headers=as_rep.headers)
    assert me.status_code == 200 and me.json()["user"]["id"] == as_rep.user_id
    assert (await as_rep.http.post("/api/auth/logout", headers=as_rep.headers)).status_code == 200
    assert (await as_rep.http.get("/api/auth/me", headers=as_rep.headers)).status_code == 401


async def test_demo_accounts_are_refused_outside_demo_mode(settings):
    from litestar.testing import AsyncTestClient

    from server.app import create_app

    async with AsyncTestClient(app=create_app(settings)) as demo_client:
        assert (await demo_client.get("/api/health")).status_code == 200  # loads the demo data
    real: Settings = settings.with_changes(demo=False)
    async with AsyncTestClient(app=create_app(real)) as client:
        answer = await client.post("/api/auth/login", json={"email": "staff@demo.test", "password": "demo"})
        assert answer.status_code == 401
