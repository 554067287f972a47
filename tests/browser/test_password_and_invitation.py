"""Journeys: a person changes their password from Settings (their other devices are signed out), and someone
who already has an account accepts an invitation to another estate by signing in, never by typing their
password into the invitation."""

import httpx
import pytest

pytestmark = pytest.mark.browser

NEW_PASSWORD = "tulips by the bin store"


def test_changing_the_password_from_settings(open_phone, live_server):
    other_device = httpx.post(f"{live_server.url}/api/auth/login",
                              json={"email": "rep@demo.test", "password": "demo"}).json()["token"]
    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    page = phone.page
    phone.open("/settings")
    page.get_by_role("link", name="Change your password").click()
    page.wait_for_function("() => location.hash === '#/password'")
    page.get_by_label("Current password").fill("not it")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    page.get_by_text("That is not your current password.").wait_for()

    page.get_by_label("Current password").fill("demo")
    page.get_by_role("button", name="Change password").click()
    page.wait_for_function("() => location.hash === '#/settings'")
    # One other device (signed in below by the API): the singular.
    page.get_by_text("and 1 other signed-in device was signed out").wait_for()
    # This phone stays signed in; the other device does not; the new password works.
    phone.sync_now()
    phone.wait_synced()
    gone = httpx.get(f"{live_server.url}/api/auth/me", headers={"Authorization": f"Bearer {other_device}"})
    assert gone.status_code == 401
    assert httpx.post(f"{live_server.url}/api/auth/login",
                      json={"email": "rep@demo.test", "password": NEW_PASSWORD}).status_code == 200


def test_an_invitation_to_an_existing_account_is_accepted_after_signing_in(open_phone, server_as, live_server):
    staff = server_as("staff@demo.test")
    rep2 = server_as("rep2@demo.test")
    elsewhere = next(m["estate_id"] for m in staff.profile["memberships"]
                     if m["estate_id"] != rep2.estate_id(0))
    invite = staff.client.post(f"/api/estates/{elsewhere}/invites",
                               json={"email": "rep2@demo.test", "role": "tra_rep"}).json()
    phone = open_phone("rep2")
    page = phone.page
    phone.open(f"/invite/{invite['token']}")
    page.locator("#invite-sign-in-first").wait_for()
    assert page.locator("input[type=password]").count() == 0  # no password asked on the invitation
    page.locator("#invite-sign-in").click()
    page.get_by_label("E-mail").fill("rep2@demo.test")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_function("() => location.hash.startsWith('#/invite/')")
    page.locator("#invite-join").click()
    page.wait_for_function("() => location.hash.startsWith('#/issues')")
    me = rep2.client.get("/api/auth/me").json()
    assert elsewhere in {m["estate_id"] for m in me["memberships"]}
