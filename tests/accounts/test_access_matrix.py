"""The access matrix: every API route and every sync mutation, as each kind of person, from the estate and from
another, checked against ``server.auth.security_table`` — the same table docs/security.md is generated from."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar.routes import HTTPRoute

from server.app import create_app
from server.auth import security_table
from server.auth.security_table import PERSONAS, ROUTE_ACCESS, expected, expected_mutation, render
from sync.permissions import PERMISSIONS
from tests.conftest import Person, new_issue_args
from tests.photos.images import phone_photo, sha256

EMAILS = {"staff": "staff@demo.test", "tra_rep": "rep@demo.test", "tra_rep_other_estate": "rep2@demo.test",
          "contractor_assigned": "contractor@demo.test", "contractor_not_assigned": "contractor@demo.test"}


def test_docs_security_md_is_generated_from_the_table():
    assert security_table.DOCUMENT.read_text(encoding="utf-8") == render(), \
        "docs/security.md is stale: run `python -m server.auth.security_table`"


def test_every_api_route_is_in_the_table(tmp_path):
    from server.settings import Settings

    app = create_app(Settings(data_dir=tmp_path))
    served = {(method, route.path) for route in app.routes if isinstance(route, HTTPRoute)
              for handler in route.route_handlers if handler.handler_name != "options_handler"
              for method in handler.http_methods if route.path.startswith("/api/")}
    assert served == set(ROUTE_ACCESS), "classify new routes in server/auth/security_table.py"
    assert set(ROUTE_DRIVERS) == set(ROUTE_ACCESS), "and give the matrix below a way to call them"


def test_every_mutation_has_an_example():
    assert set(MUTATION_ARGS) == set(PERMISSIONS), "give each mutation an example in MUTATION_ARGS"


# --- the world every row acts on: things on the first estate (Larkspur) -----------------------------------

@dataclass
class World:
    http: Any
    people: dict[str, Person]
    estate: str = ""
    assigned_issue: str = ""
    unassigned_issue: str = ""
    inspection: str = ""
    meeting: str = ""
    assigned_photo: str = ""
    unassigned_photo: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def person(self, persona: str) -> Person | None:
        return None if persona == "anonymous" else self.people[persona]

    def headers(self, persona: str) -> dict[str, str]:
        person = self.person(persona)
        return person.headers if person else {}

    async def call(self, persona: str, method: str, url: str, **kwargs: Any) -> Any:
        # Authenticate only as told: never by a cookie left from an earlier sign-in.
        self.http.cookies.clear()
        headers = {**self.headers(persona), **kwargs.pop("headers", {})}
        return await self.http.request(method, url, headers=headers, **kwargs)

    async def raise_issue(self, assign: bool = True) -> str:
        staff = self.people["staff"]
        args = new_issue_args(self.estate)
        mutations = [staff.mutation("issue.create", args)]
        if assign:
            mutations.append(staff.mutation("issue.update", {
                "id": args["id"], "fields": {"assignee_id": self.people["contractor_assigned"].user_id}}))
        body = await staff.push(*mutations)
        assert all(r["status"] == "applied" for r in body["results"]), body
        return args["id"]

    async def photo_on(self, issue_id: str, seed: int) -> str:
        staff = self.people["staff"]
        data = phone_photo(seed)
        await staff.push(staff.mutation("photo.attach", _photo_args(issue_id, data)))
        stored = await self.call("staff", "PUT", f"/api/photos/{sha256(data)}", content=data)
        assert stored.status_code in (200, 201), stored.text
        return sha256(data)


def _photo_args(issue_id: str, data: bytes) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "issue_id": issue_id, "sha256": sha256(data), "content_type": "image/jpeg",
            "byte_size": len(data), "width": 800, "height": 600, "captured_at": "2026-11-20T10:16:00Z",
            "caption": None}


@pytest.fixture
async def world(client) -> World:
    people = {}
    for persona, email in EMAILS.items():
        people[persona] = await Person(client, email).sign_in()
    w = World(http=client, people=people)
    w.estate = people["tra_rep"].estate()
    w.assigned_issue = await w.raise_issue()
    w.unassigned_issue = await w.raise_issue(assign=False)
    staff = people["staff"]
    w.inspection, w.meeting = str(uuid.uuid4()), str(uuid.uuid4())
    body = await staff.push(
        staff.mutation("inspection.create", {"id": w.inspection, "estate_id": w.estate, "date": "2026-11-23",
                                             "attendees": ["Sam"], "notes": ""}),
        staff.mutation("meeting.create", {"id": w.meeting, "estate_id": w.estate, "date": "2026-11-23"}))
    assert all(r["status"] == "applied" for r in body["results"]), body
    w.assigned_photo = await w.photo_on(w.assigned_issue, 31)
    w.unassigned_photo = await w.photo_on(w.unassigned_issue, 32)
    return w


# --- how to call each route as a persona -------------------------------------------------------------------

Driver = Callable[[World, str], Awaitable[Any]]


async def _fresh_session(w: World, persona: str) -> dict[str, str]:
    """Another session of the persona's own, to sign out or revoke without ending the one the matrix uses."""
    if persona == "anonymous":
        return {}
    extra = await Person(w.http, EMAILS[persona]).sign_in()
    return extra.headers


async def _revoke(w: World, persona: str) -> Any:
    if persona == "anonymous":
        return await w.call(persona, "DELETE", f"/api/auth/sessions/{uuid.uuid4()}")
    other = await _fresh_session(w, persona)
    w.http.cookies.clear()
    sessions = (await w.http.get("/api/auth/sessions", headers=other)).json()
    own = next(s["id"] for s in sessions if s["current"])
    return await w.call(persona, "DELETE", f"/api/auth/sessions/{own}")


async def _invite_token(w: World, email: str) -> str:
    made = await w.call("staff", "POST", f"/api/estates/{w.estate}/invites", json={"email": email})
    assert made.status_code == 201, made.text
    return made.json()["token"]


async def _erase(w: World, persona: str) -> Any:
    # Someone of the estate to erase, new for each row.
    token = await _invite_token(w, f"erase-{uuid.uuid4().hex[:8]}@example.org")
    joined = await w.call("anonymous", "POST", f"/api/invites/{token}/accept",
                          json={"name": "To be erased", "password": "tulips by the bin store"})
    return await w.call(persona, "POST", f"/api/people/{joined.json()['user_id']}/erase")


async def _accept(w: World, persona: str) -> Any:
    token = await _invite_token(w, f"new-{uuid.uuid4().hex[:8]}@example.org")
    return await w.call(persona, "POST", f"/api/invites/{token}/accept",
                        json={"name": "New rep", "password": "tulips by the bin store"})


async def _show_invite(w: World, persona: str) -> Any:
    token = await _invite_token(w, f"shown-{uuid.uuid4().hex[:8]}@example.org")
    return await w.call(persona, "GET", f"/api/invites/{token}")


def _tus(**extra: str) -> dict[str, str]:
    return {"Tus-Resumable": "1.0.0", **extra}


async def _new_upload(w: World, persona: str) -> str:
    if persona == "anonymous":
        return uuid.uuid4().hex
    digest = base64.b64encode(sha256(b"some bytes").encode()).decode()
    made = await w.call(persona, "POST", "/api/uploads",
                        headers=_tus(**{"Upload-Length": "10", "Upload-Metadata": f"sha256 {digest}"}))
    assert made.status_code == 201, made.text
    return made.headers["location"].rsplit("/", 1)[1]


def _photo_for(w: World, persona: str) -> str:
    return w.assigned_photo if persona == "contractor_assigned" else w.unassigned_photo


def _get(path: Callable[[World], str]) -> Driver:
    return lambda w, persona: w.call(persona, "GET", path(w))


ROUTE_DRIVERS: dict[tuple[str, str], Driver] = {
    ("GET", "/api/health"): _get(lambda w: "/api/health"),
    ("POST", "/api/auth/login"): lambda w, p: w.call(p, "POST", "/api/auth/login",
                                                       json={"email": "rep@demo.test", "password": "demo"}),
    ("GET", "/api/auth/me"): _get(lambda w: "/api/auth/me"),
    ("GET", "/api/auth/sessions"): _get(lambda w: "/api/auth/sessions"),
    ("DELETE", "/api/auth/sessions/{session_id:uuid}"): _revoke,
    ("POST", "/api/estates/{estate_id:uuid}/invites"): lambda w, p: w.call(
        p, "POST", f"/api/estates/{w.estate}/invites", json={"email": "someone@example.org"}),
    ("GET", "/api/invites/{token:str}"): lambda w, p: _show_invite(w, p),
    ("POST", "/api/invites/{token:str}/accept"): _accept,
    # A weak new password: past the door it is refused as weak (422), so no persona's password changes.
    ("POST", "/api/auth/password"): lambda w, p: w.call(p, "POST", "/api/auth/password", json={
        "current_password": "demo", "new_password": "password123"}),
    ("GET", "/api/people/{user_id:uuid}/export"): lambda w, p: w.call(
        p, "GET", f"/api/people/{w.people['tra_rep'].user_id}/export"),
    ("POST", "/api/people/{user_id:uuid}/erase"): _erase,
    ("GET", "/api/me/mail"): _get(lambda w: "/api/me/mail"),
    ("PUT", "/api/me/mail"): lambda w, p: w.call(p, "PUT", "/api/me/mail", json={"mode": "daily"}),
    ("DELETE", "/api/me/mail/reply-addresses"): lambda w, p: w.call(p, "DELETE", "/api/me/mail/reply-addresses"),
    ("GET", "/api/estates/{estate_id:uuid}/mail/inbound"): _get(lambda w: f"/api/estates/{w.estate}/mail/inbound"),
    ("GET", "/api/estates/{estate_id:uuid}/mail/inbound.html"): _get(
        lambda w: f"/api/estates/{w.estate}/mail/inbound.html"),
    ("GET", "/api/estates/{estate_id:uuid}/issues"): _get(lambda w: f"/api/estates/{w.estate}/issues"),
    ("GET", "/api/estates/{estate_id:uuid}/issues.csv"): _get(lambda w: f"/api/estates/{w.estate}/issues.csv"),
    ("GET", "/api/estates/{estate_id:uuid}/dashboard"): _get(lambda w: f"/api/estates/{w.estate}/dashboard"),
    ("GET", "/api/estates/{estate_id:uuid}/dashboard.html"): _get(
        lambda w: f"/api/estates/{w.estate}/dashboard.html"),
    ("GET", "/api/meetings/{meeting_id:uuid}/action-plan"): _get(
        lambda w: f"/api/meetings/{w.meeting}/action-plan"),
    ("GET", "/api/meetings/{meeting_id:uuid}/action-plan.html"): _get(
        lambda w: f"/api/meetings/{w.meeting}/action-plan.html"),
    ("GET", "/api/meetings/{meeting_id:uuid}/action-plan.pdf"): _get(
        lambda w: f"/api/meetings/{w.meeting}/action-plan.pdf"),
    ("GET", "/api/inspections/{inspection_id:uuid}/summary"): _get(
        lambda w: f"/api/inspections/{w.inspection}/summary"),
    ("GET", "/api/inspections/{inspection_id:uuid}/summary.html"): _get(
        lambda w: f"/api/inspections/{w.inspection}/summary.html"),
    ("GET", "/api/inspections/{inspection_id:uuid}/summary.pdf"): _get(
        lambda w: f"/api/inspections/{w.inspection}/summary.pdf"),
    ("GET", "/api/reports/report.css"): _get(lambda w: "/api/reports/report.css"),
    ("POST", "/api/sync/push"): lambda w, p: w.call(p, "POST", "/api/sync/push",
                                                      json={"client_id": str(uuid.uuid4()), "mutations": []}),
    ("POST", "/api/sync/pull"): lambda w, p: w.call(p, "POST", "/api/sync/pull",
                                                      json={"client_id": str(uuid.uuid4()), "cursor": None}),
    ("PUT", "/api/photos/{sha256:str}"): lambda w, p: w.call(p, "PUT", f"/api/photos/{w.unassigned_photo}",
                                                               content=phone_photo(32)),
    ("GET", "/api/photos/{sha256:str}"): lambda w, p: w.call(p, "GET", f"/api/photos/{_photo_for(w, p)}"),
    ("OPTIONS", "/api/uploads"): lambda w, p: w.call(p, "OPTIONS", "/api/uploads"),
    ("POST", "/api/uploads"): lambda w, p: w.call(p, "POST", "/api/uploads", headers=_tus(**{
        "Upload-Length": "10",
        "Upload-Metadata": "sha256 " + base64.b64encode(sha256(b"0123456789").encode()).decode()})),
    ("HEAD", "/api/uploads/{upload_id:str}"): lambda w, p: _on_upload(w, p, "HEAD"),
    ("PATCH", "/api/uploads/{upload_id:str}"): lambda w, p: _on_upload(w, p, "PATCH"),
    ("DELETE", "/api/uploads/{upload_id:str}"): lambda w, p: _on_upload(w, p, "DELETE"),
}


async def _logout(w: World, persona: str) -> Any:
    headers = await _fresh_session(w, persona)
    w.http.cookies.clear()
    return await w.http.post("/api/auth/logout", headers=headers)


ROUTE_DRIVERS[("POST", "/api/auth/logout")] = _logout  # defined after the table; it reads better there


async def _on_upload(w: World, persona: str, method: str) -> Any:
    upload = await _new_upload(w, persona)
    extra: dict[str, Any] = {}
    if method == "PATCH":
        extra = {"content": b"01234", "headers": _tus(**{"Upload-Offset": "0",
                                                         "Content-Type": "application/offset+octet-stream"})}
    return await w.call(persona, method, f"/api/uploads/{upload}", **({"headers": _tus()} | extra))


def _outcome(status: int) -> str:
    if status in (401, 403, 404):
        return str(status)
    return "ok" if status < 500 else f"server error {status}"


async def test_every_route_answers_each_kind_of_person_as_the_table_says(world):
    wrong = []
    for (method, path), access in sorted(ROUTE_ACCESS.items()):
        for persona in PERSONAS:
            answer = await ROUTE_DRIVERS[(method, path)](world, persona)
            got, want = _outcome(answer.status_code), expected(access, persona)
            if got != want:
                wrong.append(f"{method} {path} as {persona}: {answer.status_code} (table says {want})")
    assert not wrong, "\n".join(wrong)


async def test_someone_elses_session_cannot_be_revoked(world):
    rep_sessions = (await world.call("tra_rep", "GET", "/api/auth/sessions")).json()
    for persona in ("staff", "tra_rep_other_estate", "contractor_assigned"):
        answer = await world.call(persona, "DELETE", f"/api/auth/sessions/{rep_sessions[0]['id']}")
        assert answer.status_code == 404


# --- every mutation ------------------------------------------------------------------------------------------

MutationArgs = Callable[[World, str], Awaitable[dict[str, Any]]]


async def _on_new_issue(w: World, persona: str, build: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """A fresh issue raised by staff; assigned to the contractor unless the row is about one not assigned."""
    return build(await w.raise_issue(assign=persona != "contractor_not_assigned"))


MUTATION_ARGS: dict[str, MutationArgs] = {
    "issue.create": lambda w, p: _now(new_issue_args(w.estate)),
    "issue.update": lambda w, p: _on_new_issue(w, p, lambda i: {"id": i, "fields": {"title": "Renamed"}}),
    "issue.comment": lambda w, p: _on_new_issue(w, p, lambda i: {"id": str(uuid.uuid4()), "issue_id": i, "body": "Hi"}),
    "issue.withdraw": lambda w, p: _on_new_issue(w, p, lambda i: {"id": i, "reason": "a duplicate"}),
    "photo.attach": lambda w, p: _on_new_issue(w, p, lambda i: _photo_args(i, phone_photo(40))),
    "inspection.create": lambda w, p: _now({"id": str(uuid.uuid4()), "estate_id": w.estate, "date": "2026-11-24",
                                         "attendees": [], "notes": ""}),
    "inspection.update": lambda w, p: _now({"id": w.inspection, "fields": {"notes": "Bring a torch"}}),
    "issue.merge": lambda w, p: _on_new_issue(w, p, lambda i: {"id": i, "into": w.unassigned_issue}),
    "issue.follow": lambda w, p: _on_new_issue(w, p, lambda i: {"id": i, "follow": True}),
    "inspection.grade": lambda w, p: _now({"id": str(uuid.uuid4()), "inspection_id": w.inspection,
                                        "element": "lighting", "grade": "B"}),
    "inspection.recheck": lambda w, p: _on_new_issue(w, p, lambda i: {
        "id": str(uuid.uuid4()), "inspection_id": w.inspection, "issue_id": i, "outcome": "still_there"}),
    "estate.grading_scheme": lambda w, p: _now({"estate_id": w.estate, "scheme": "a_to_d"}),
    "meeting.create": lambda w, p: _now({"id": str(uuid.uuid4()), "estate_id": w.estate, "date": "2026-11-30"}),
    "meeting.issue": lambda w, p: _on_new_issue(w, p, lambda i: {"meeting_id": w.meeting, "issue_id": i,
                                                           "kind": "reviewed"}),
}


async def _now(args: dict[str, Any]) -> dict[str, Any]:
    return args


async def test_every_mutation_is_applied_or_rejected_as_the_table_says(world):
    wrong = []
    for action in sorted(PERMISSIONS):
        for persona in PERSONAS:
            args = await MUTATION_ARGS[action](world, persona)
            person = world.person(persona)
            if person is None:
                world.http.cookies.clear()
                answer = await world.http.post("/api/sync/push", json={"client_id": str(uuid.uuid4()), "mutations": [
                    {"id": 1, "name": action, "args": args, "at": "001795435200000:00000:x"}]})
                got = _outcome(answer.status_code)
            else:
                body = await person.push(person.mutation(action, args))
                got = {"applied": "ok", "rejected": "rejected"}[body["results"][-1]["status"]]
                reason = body["results"][-1]["reason"]
            want = expected_mutation(action, persona)
            if got != want:
                wrong.append(f"{action} as {persona}: {got} (table says {want})"
                             + (f" — {reason}" if person is not None else ""))
    assert not wrong, "\n".join(wrong)
