"""Who may do what, as one table: the source of ``docs/security.md`` and of the test matrix that checks it.

Mutations come straight from ``sync.permissions.PERMISSIONS`` and ``sync.workflow.TRANSITIONS`` (what the sync
engine enforces); routes are classified here by ``ROUTE_ACCESS``. ``tests/accounts/test_access_matrix.py``
drives every listed route and mutation as each kind of person and checks the answer against ``expected``, and
another test checks that the committed docs/security.md equals ``render()``. Run
``python -m server.auth.security_table`` to rewrite the document after changing a rule.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

from sync.permissions import PERMISSIONS, STAFF_ONLY_FIELDS
from sync.workflow import TRANSITIONS

#: The people each row is checked for. Things acted on are on the first demo estate; "other estate" is a TRA
#: rep of the second estate only; the contractor is a member of both estates.
PERSONAS = ("anonymous", "staff", "tra_rep", "tra_rep_other_estate", "contractor_assigned",
            "contractor_not_assigned")

Access = Literal["public", "signed_in", "member", "estate_member", "report_reader", "estate_staff",
                 "photo_viewer", "person_staff", "own_session"]

#: What each kind of route needs, in words for the document.
ACCESS_MEANING: dict[str, str] = {
    "public": "anyone, signed in or not",
    "signed_in": "anyone signed in (acts on their own account or data only)",
    "member": "anyone signed in who belongs to at least one estate",
    "estate_member": "a member of the estate in the path; others get 404",
    "report_reader": "staff and TRA reps of the thing's estate; anyone else 404 (as for an id that does not exist)",
    "estate_staff": "staff of the estate in the path; other members 403, non-members 404",
    "photo_viewer": "a member of an estate the photo is on (contractors: only on issues assigned to them), "
                    "else 404; the original is for staff",
    "person_staff": "staff of an estate the person belongs to, else 404",
    "own_session": "the owner of the session, else 404",
}

#: Every route of the API: (method, path) → who may use it.
ROUTE_ACCESS: dict[tuple[str, str], Access] = {
    ("GET", "/api/health"): "public",
    ("POST", "/api/auth/login"): "public",
    ("POST", "/api/auth/logout"): "signed_in",
    ("GET", "/api/auth/me"): "signed_in",
    ("GET", "/api/auth/sessions"): "signed_in",
    ("POST", "/api/auth/password"): "signed_in",
    ("DELETE", "/api/auth/sessions/{session_id:uuid}"): "own_session",
    ("POST", "/api/estates/{estate_id:uuid}/invites"): "estate_staff",
    ("GET", "/api/invites/{token:str}"): "public",
    ("POST", "/api/invites/{token:str}/accept"): "public",
    ("GET", "/api/people/{user_id:uuid}/export"): "person_staff",
    ("POST", "/api/people/{user_id:uuid}/erase"): "person_staff",
    ("GET", "/api/me/mail"): "signed_in",
    ("PUT", "/api/me/mail"): "signed_in",
    ("DELETE", "/api/me/mail/reply-addresses"): "signed_in",
    ("GET", "/api/estates/{estate_id:uuid}/mail/inbound"): "estate_staff",
    ("GET", "/api/estates/{estate_id:uuid}/mail/inbound.html"): "estate_staff",
    ("GET", "/api/estates/{estate_id:uuid}/issues"): "estate_member",
    ("GET", "/api/estates/{estate_id:uuid}/issues.csv"): "report_reader",
    ("GET", "/api/estates/{estate_id:uuid}/dashboard"): "report_reader",
    ("GET", "/api/estates/{estate_id:uuid}/dashboard.html"): "report_reader",
    ("GET", "/api/meetings/{meeting_id:uuid}/action-plan"): "report_reader",
    ("GET", "/api/meetings/{meeting_id:uuid}/action-plan.html"): "report_reader",
    ("GET", "/api/meetings/{meeting_id:uuid}/action-plan.pdf"): "report_reader",
    ("GET", "/api/inspections/{inspection_id:uuid}/summary"): "report_reader",
    ("GET", "/api/inspections/{inspection_id:uuid}/summary.html"): "report_reader",
    ("GET", "/api/inspections/{inspection_id:uuid}/summary.pdf"): "report_reader",
    ("GET", "/api/reports/report.css"): "public",
    ("POST", "/api/sync/push"): "signed_in",
    ("POST", "/api/sync/pull"): "signed_in",
    ("PUT", "/api/photos/{sha256:str}"): "member",
    ("GET", "/api/photos/{sha256:str}"): "photo_viewer",
    ("OPTIONS", "/api/uploads"): "public",
    ("POST", "/api/uploads"): "member",
    ("HEAD", "/api/uploads/{upload_id:str}"): "signed_in",
    ("PATCH", "/api/uploads/{upload_id:str}"): "signed_in",
    ("DELETE", "/api/uploads/{upload_id:str}"): "signed_in",
}

Outcome = Literal["ok", "401", "403", "404", "rejected"]

_MEMBER_OF_ESTATE = {"staff", "tra_rep", "contractor_assigned", "contractor_not_assigned"}


def expected(access: Access, persona: str) -> Outcome:
    """The answer a route classified ``access`` gives ``persona`` acting on something on the first estate."""
    if access == "public":
        return "ok"
    if persona == "anonymous":
        return "401"
    if access in ("signed_in", "member"):
        return "ok"  # every persona belongs to some estate
    if access == "own_session":
        return "ok"  # each persona acts on a session of their own; someone else's is tested apart (404)
    if access == "estate_member":
        return "ok" if persona in _MEMBER_OF_ESTATE else "404"
    if access == "report_reader":
        return "ok" if persona in ("staff", "tra_rep") else "404"
    if access == "estate_staff":
        return "ok" if persona == "staff" else ("403" if persona in _MEMBER_OF_ESTATE else "404")
    if access == "photo_viewer":
        return "ok" if persona in ("staff", "tra_rep", "contractor_assigned") else "404"
    if access == "person_staff":
        return "ok" if persona == "staff" else "404"
    raise ValueError(access)


def expected_mutation(action: str, persona: str, *, raised_by_persona: bool = False) -> Outcome:
    """What a push of ``action`` on the first estate gives ``persona`` (the sync engine's table)."""
    if persona == "anonymous":
        return "401"
    role = {"staff": "staff", "tra_rep": "tra_rep", "contractor_assigned": "contractor",
            "contractor_not_assigned": "contractor"}.get(persona)
    if role is None:
        return "rejected"  # not a member of that estate: rejected without saying whether it exists
    rule = PERMISSIONS.get(action, {}).get(role)
    if rule == "yes":
        return "ok"
    if rule == "assignee":
        return "ok" if persona == "contractor_assigned" else "rejected"
    if rule == "raiser":
        return "ok" if raised_by_persona else "rejected"
    return "rejected"


_WORDS = {"ok": "✔", "401": "401", "403": "403", "404": "404", "rejected": "rejected"}
_RULE_WORDS = {"yes": "yes", "assignee": "if assigned", "raiser": "if they raised it"}


def render() -> str:
    """docs/security.md, generated: the routes table, the mutations table and the status transitions."""
    lines = [
        "# Who may do what",
        "",
        "Generated by `python -m server.auth.security_table` from `server/auth/security_table.py`,",
        "`sync/permissions.py` and `sync/workflow.py`; `tests/accounts/test_access_matrix.py` drives every row as",
        "each kind of person and checks this document is up to date. Do not edit by hand.",
        "",
        "Columns: anonymous; staff; a TRA rep of the estate; a TRA rep of another estate; a contractor on an issue",
        "assigned to them; a contractor on one that is not. \"✔\" means allowed (the answer may still be a 404",
        "for a thing that does not exist, or a 4xx for a bad body); a refused sync mutation is answered 200 with",
        "the mutation `rejected` and a reason.",
        "",
        "## Routes",
        "",
        "| route | who | " + " | ".join(PERSONAS) + " |",
        "|---|---|" + "---|" * len(PERSONAS),
    ]
    for (method, path), access in sorted(ROUTE_ACCESS.items(), key=lambda item: (item[0][1], item[0][0])):
        cells = " | ".join(_WORDS[expected(access, persona)] for persona in PERSONAS)
        lines.append(f"| `{method} {path}` | {ACCESS_MEANING[access]} | {cells} |")
    lines += [
        "",
        "Someone else's session (`DELETE /api/auth/sessions/{id}`) is a 404 for everyone.",
        "",
        "## Sync mutations",
        "",
        "| mutation | staff | TRA rep | contractor | " + " | ".join(PERSONAS) + " |",
        "|---|---|---|---|" + "---|" * len(PERSONAS),
    ]
    for action in sorted(PERMISSIONS):
        rules = PERMISSIONS[action]
        roles = " | ".join(_RULE_WORDS.get(rules.get(role, ""), "no") for role in ("staff", "tra_rep", "contractor"))
        cells = " | ".join(_WORDS[expected_mutation(action, persona)] for persona in PERSONAS)
        lines.append(f"| `{action}` | {roles} | {cells} |")
    lines += [
        "",
        f"Issue fields only staff may set: {', '.join(f'`{f}`' for f in sorted(STAFF_ONLY_FIELDS))}.",
        "A TRA rep may withdraw only the issues they raised.",
        "",
        "## Status changes (`issue.status`)",
        "",
        "| from | to | staff | TRA rep | contractor | note needed |",
        "|---|---|---|---|---|---|",
    ]
    for (source, target), transition in sorted(TRANSITIONS.items()):
        roles = " | ".join(_RULE_WORDS.get(transition.roles.get(role, ""), "no")
                           for role in ("staff", "tra_rep", "contractor"))
        lines.append(f"| {source} | {target} | {roles} | {'yes' if transition.needs_note else ''} |")
    lines += [
        "",
        "## What a contractor pulls",
        "",
        "Only the issues assigned to them, with those issues' events and photos (and photo bytes only through",
        "them). When an issue is taken from a contractor their phone is told to delete it and everything pulled",
        "about it; when one is handed to them they receive its whole history (`server/auth/scoping.py`).",
        "",
        "## What is one person's alone",
        "",
        "Who follows an issue (`follow` rows) and how a person wants to hear about it (`mail_preference`, set",
        "with the `mail.preference` mutation, which anyone signed in sends for themselves only) are pulled by that",
        "person's phones alone, and only for estates they still belong to. E-mail about an issue goes only to",
        "followers who may still see it (members of its estate; a contractor only while it is assigned to them).",
        "The language a person reads in (`person_language`, set with the `person.language` mutation, for",
        "themselves only) is likewise pulled by their own phones alone; e-mails and PDFs use it for them.",
        "",
        "## Identity, possession and uniform answers",
        "",
        "Ids, hashes and derived values are ways in too, not only routes (issue 11). The rules:",
        "",
        "- **Ids the server derives are not predictable.** A timeline event's id is an HMAC-SHA-256, keyed by the",
        "  deployment's secret (the one row of `server_secret`, made at the first start under the migration lock,",
        "  shared by every server process and carried in backups), over `<client_id>:<mutation_id>:<n>`. A",
        "  phone's client id shows in the stamps others pull; nobody can compute from it the ids that phone's next",
        "  mutations need, and a replay after a restore still derives the same ids (`sync.rules.derived_id`).",
        "- **One mutation, one savepoint.** Each mutation of a push is applied inside a savepoint. Whatever stops it",
        "  (a rejection, or a unique constraint the database enforces) undoes all it wrote and rejects it alone,",
        "  with a reason; the rest of the push applies. A push never fails with a 500 on every retry, so no one",
        "  can wedge another phone's queue (`sync.engine.apply_push`; the cost is in docs/benchmarks.md).",
        "- **Every write by a phone-chosen id checks the row it meets.** Creating an issue, comment, photo,",
        "  re-check, meeting or grade with an id already held by any row of any kind, on any estate, is rejected",
        "  with the same words as a collision on the person's own estate (`a grade with this id already exists`);",
        "  nothing is replaced. An inspection id held elsewhere answers like one that does not exist.",
        "- **Knowing a hash is not a capability.** `photo_upload` records who completed an upload of which bytes",
        "  (PUT, tus, or a photo in a reply by e-mail). Once the server holds the bytes, `photo.attach` (and a",
        "  grade's photo) passes only for someone who uploaded them or already sees them through something else",
        "  (who then holds them too); otherwise it is rejected as `upload the photo first` with the code",
        "  `photo.upload_first`, and the phone sends the bytes and attaches again, losing nothing. A record may",
        "  still name bytes not yet uploaded (a phone records before it uploads), but a record whose maker never",
        "  held the bytes shows nothing, in the app, the photo routes or a report, even after someone else uploads",
        "  them. A `PUT` answers `201` the first time each person sends the bytes.",
        "- **What a person may not see answers like what does not exist.** One refusal in the sync rules",
        "  (`sync.rules.no_such`: `there is no issue <id> that you can see`) and one in the problem catalogue",
        "  (`server.problems.not_visible`: 404 `404.1`). A contractor acting on a job not assigned to them learns",
        "  nothing of its status, withdrawal or what it was merged into; reports answer 404, not 403, to anyone",
        "  who may not read them. `tests/adversarial/` checks this generatively: every mutation and every GET",
        "  route with an id, by a person without access, answers byte for byte (ids aside) as for a random id.",
        "- **Exports and reports are scoped.** The personal-data export for staff holds only what happened on",
        "  the estates they look after (the operator's `estatewalk person export` holds everything); reports read",
        "  only rows of their own estate, whatever links say.",
        "",
        "What is left: whether the server holds some bytes can be learned by someone who knows their hash (the",
        "attach is refused as `upload the photo first`); they cannot see the photo or where it is attached.",
        "",
    ]
    return "\n".join(lines)


DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def main() -> int:
    DOCUMENT.write_text(render(), encoding="utf-8")
    print(f"wrote {DOCUMENT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
