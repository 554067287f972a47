"""Input limits in one layer (server/input_limits.py, sync/text.py): whatever a person can send is a 4xx problem
naming the field, or a rejection of one mutation, never a 500, on both databases."""

from __future__ import annotations

import base64
import io
import uuid

import pytest
from pypdf import PdfReader

from server.demo import demo_id
from sync.hlc import format_stamp
from sync.protocol import MAX_PULL_LIMIT
from tests.conftest import new_issue_args

DEMO_MEETING = demo_id("meeting:larkspur:tra")
DEMO_INSPECTION = demo_id("inspection:larkspur:last-month")
BINS = str(demo_id("issue:bins"))


def deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


@pytest.mark.parametrize("path", ["/api/auth/login", "/api/sync/push", "/api/sync/pull",
                                  "/api/invites/some-token/accept"])
async def test_json_nested_2000_levels_deep_is_400_on_every_json_route(as_rep, path):
    for headers in ({}, as_rep.headers):  # signed in or not
        answer = await as_rep.http.post(path, headers={**headers, "content-type": "application/json"},
                                        content=deep(2000))
        assert answer.status_code in (400, 401), answer.text
        assert answer.headers["content-type"].startswith("application/json")
    answer = await as_rep.http.post(path, headers={**as_rep.headers, "content-type": "application/json"},
                                    content=b'{"a": ' + deep(2000) + b"}")
    assert answer.status_code == 400 and answer.json()["code"] == "400.2" and "32 levels" in answer.text


async def test_brackets_inside_text_do_not_count_as_nesting(as_rep):
    body = "[" * 100 + "{" * 100
    mutation = as_rep.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": BINS, "body": body})
    assert (await as_rep.push(mutation))["results"][0]["status"] == "applied"


@pytest.mark.parametrize("body, field", [
    ({"client_id": "6f1c0b8e-3f5a-4c2e-9d41-0a6b2f9e7c11", "limit": "5"}, "limit"),
    ({"client_id": "6f1c0b8e-3f5a-4c2e-9d41-0a6b2f9e7c11", "limit": 5.0}, "limit"),
    ({"client_id": "6f1c0b8e-3f5a-4c2e-9d41-0a6b2f9e7c11", "limit": True}, "limit"),
    ({"client_id": "6f1c0b8e-3f5a-4c2e-9d41-0a6b2f9e7c11", "cursor": 7}, "cursor"),
])
async def test_types_are_strict_a_string_is_not_a_number(as_rep, body, field):
    answer = await as_rep.http.post("/api/sync/pull", headers=as_rep.headers, json=body)
    assert answer.status_code == 400 and answer.json()["code"] == "400.1", answer.text
    assert field in answer.text


async def test_a_pull_page_is_at_most_what_the_protocol_allows(as_rep):
    for limit in (0, MAX_PULL_LIMIT + 1):
        answer = await as_rep.http.post("/api/sync/pull", headers=as_rep.headers,
                                        json={"client_id": as_rep.client_id, "limit": limit})
        assert answer.status_code == 400 and answer.json()["code"] == "400.1" and "limit" in answer.text, limit
    answer = await as_rep.http.post("/api/sync/pull", headers=as_rep.headers,
                                    json={"client_id": as_rep.client_id, "limit": MAX_PULL_LIMIT})
    assert answer.status_code == 200, answer.text


async def test_a_mutation_number_sent_as_text_refuses_the_push(as_rep):
    mutation = {**as_rep.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": BINS, "body": "x"}),
                "id": "1"}
    answer = await as_rep.http.post("/api/sync/push", headers=as_rep.headers,
                                    json={"client_id": as_rep.client_id, "mutations": [mutation]})
    assert answer.status_code == 400 and "id" in answer.text


@pytest.mark.parametrize("character", ["\u0000", "\u0007", "\u001b", "\u007f", "\u0085"])
async def test_control_characters_at_sign_in_are_400_naming_the_field(as_rep, character):
    answer = await as_rep.http.post("/api/auth/login",
                                    json={"email": f"rep{character}@demo.test", "password": "demo"})
    assert answer.status_code == 400 and answer.json()["code"] == "400.2", answer.text
    assert "email" in answer.json()["detail"] and f"U+{ord(character):04X}" in answer.json()["detail"]


async def test_a_nul_in_an_invitation_is_400_naming_the_field(as_staff):
    answer = await as_staff.http.post(f"/api/estates/{as_staff.estate()}/invites", headers=as_staff.headers,
                                      json={"email": "new\u0000@example.test", "role": "tra_rep"})
    assert answer.status_code == 400 and "email" in answer.json()["detail"], answer.text
    answer = await as_staff.http.post("/api/invites/abc%00def/accept",
                                      json={"name": "New Person", "password": "a long enough password"})
    assert answer.status_code == 400 and "token" in answer.json()["detail"], answer.text


async def test_newlines_and_tabs_are_ordinary_text(as_rep):
    mutation = as_rep.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": BINS,
                                                 "body": "First line\n\tindented\r\nlast"})
    assert (await as_rep.push(mutation))["results"][0]["status"] == "applied"


@pytest.mark.parametrize("args, field", [
    (lambda estate: new_issue_args(estate, title="Broken\u0000lock"), "args.title"),
    (lambda estate: {"id": str(uuid.uuid4()), "issue_id": BINS, "body": "a\u0001b"}, "args.body"),
    (lambda estate: {"id": str(uuid.uuid4()), "issue_id": BINS, "body": "x" * 20_001}, "body"),
])
async def test_a_bad_value_in_a_push_rejects_that_mutation_and_the_queue_moves_on(as_rep, args, field):
    name = "issue.create" if "title" in args(as_rep.estate()) else "issue.comment"
    bad = as_rep.mutation(name, args(as_rep.estate()))
    good = as_rep.mutation("issue.create", new_issue_args(as_rep.estate()))
    results = (await as_rep.push(bad, good))["results"]
    assert results[0]["status"] == "rejected" and field in results[0]["reason"], results
    assert results[1]["status"] == "applied"
    # Sent again (the phone never heard the answer): a duplicate, not a 409 and not a 500.
    again = (await as_rep.push(bad, good))["results"]
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    # And a pull still works: nothing unreadable was stored.
    assert await as_rep.pull_all()


async def test_a_number_wider_than_64_bits_in_a_push_rejects_that_mutation(as_rep):
    args = {"id": str(uuid.uuid4()), "issue_id": BINS, "sha256": "a" * 64, "byte_size": 2**70}
    results = (await as_rep.push(as_rep.mutation("photo.attach", args)))["results"]
    assert results[0]["status"] == "rejected" and "args.byte_size" in results[0]["reason"]


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("version", ["99999999999999999999999", "9223372036854775808", "-1", "-0", " 7", "1_0",
                                     "\uff17"])
async def test_a_cursor_out_of_range_or_negative_is_400_not_a_replay(as_rep, version):
    await as_rep.pull_all()
    fingerprint = base64.urlsafe_b64decode(as_rep.cursor + "=" * (-len(as_rep.cursor) % 4)).decode().split(".")[1]
    answer = await as_rep.http.post("/api/sync/pull", headers=as_rep.headers,
                                    json={"client_id": as_rep.client_id, "cursor": cursor(f"{version}.{fingerprint}")})
    assert answer.status_code == 400, answer.text
    assert "cursor" in answer.json()["detail"]


async def test_the_largest_cursor_version_is_read_as_from_the_future(as_rep):
    await as_rep.pull_all()
    fingerprint = base64.urlsafe_b64decode(as_rep.cursor + "=" * (-len(as_rep.cursor) % 4)).decode().split(".")[1]
    answer = await as_rep.http.post("/api/sync/pull", headers=as_rep.headers,
                                    json={"client_id": as_rep.client_id,
                                          "cursor": cursor(f"{2**63 - 1}.{fingerprint}.abc")})
    assert answer.status_code == 200 and answer.json()["reset"] is True


async def test_a_nul_in_a_query_value_is_400(as_staff):
    answer = await as_staff.http.get(f"/api/estates/{as_staff.estate()}/mail/inbound?show=review%00",
                                     headers=as_staff.headers)
    assert answer.status_code == 400 and "show" in answer.json()["detail"]


def pdf_text(data: bytes) -> str:
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


async def test_pdfs_print_a_20000_character_comment_and_grade_note_in_full(as_staff, as_rep):
    words = " ".join(f"word{n}" for n in range(2_600))[:19_000]
    comment = words + " " + "x" * 900  # and one word far wider than any column
    assert len(comment) <= 20_000
    title = "Long title " + "t" * 480
    issue = new_issue_args(as_rep.estate(), title=title)
    results = (await as_rep.push(
        as_rep.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": BINS, "body": comment}),
        as_rep.mutation("issue.create", issue),
        as_rep.mutation("meeting.issue", {"meeting_id": str(DEMO_MEETING), "issue_id": issue["id"],
                                          "kind": "raised"}),
        as_rep.mutation("inspection.grade", {"id": str(uuid.uuid4()), "inspection_id": str(DEMO_INSPECTION),
                                             "element": "graffiti", "grade": "C", "note": comment,
                                             "agreed_by": ["A" * 500] * 40}),
    ))["results"]
    assert [r["status"] for r in results] == ["applied"] * 4, results

    plan = await as_rep.http.get(f"/api/meetings/{DEMO_MEETING}/action-plan.pdf", headers=as_rep.headers)
    assert plan.status_code == 200, plan.text
    printed = pdf_text(plan.content)
    assert "".join(comment.split()) in printed
    assert "".join(title.split()) in printed
    assert len(PdfReader(io.BytesIO(plan.content)).pages) >= 3  # the comment went on over pages

    summary = await as_rep.http.get(f"/api/inspections/{DEMO_INSPECTION}/summary.pdf", headers=as_rep.headers)
    assert summary.status_code == 200, summary.text
    printed = pdf_text(summary.content)
    assert "".join(comment.split()) in printed
    assert "A" * 500 in printed


async def test_a_fix_stamped_before_its_report_counts_as_fixed_at_once(as_staff, as_rep):
    dashboard = f"/api/estates/{as_rep.estate()}/dashboard"
    before = (await as_rep.http.get(dashboard, headers=as_rep.headers)).json()
    issue = new_issue_args(as_rep.estate())
    created = as_rep.mutation("issue.create", issue)
    await as_rep.push(created)
    # A staff phone whose clock is a day slow: "fixed" is stamped before "created".
    slow = int(created["at"].split(":")[0]) - 86_400_000
    moves = [as_staff.mutation("issue.update", {"id": issue["id"], "fields": {
        "owner_id": as_staff.user_id, "due_date": "2030-01-01"}})]
    moves += [as_staff.mutation("issue.status", {"id": issue["id"], "status": step, "note": "done"},
                                at=format_stamp(slow, n, as_staff.client_id))
              for n, step in enumerate(("acknowledged", "in_progress", "fixed"))]
    results = (await as_staff.push(*moves))["results"]
    assert [r["status"] for r in results] == ["applied"] * 4, results
    after = (await as_rep.http.get(dashboard, headers=as_rep.headers)).json()
    # It is counted among the fixes (it used to drop out), and its time to fix is zero days, not negative.
    assert sum(after["fixed_per_month"].values()) == sum(before["fixed_per_month"].values()) + 1
    assert after["median_days_to_fix"] >= 0
