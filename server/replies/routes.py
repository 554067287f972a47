"""What staff see of received replies (the quarantine), and a person's way to withdraw their reply addresses.

``GET /api/estates/{id}/mail/inbound`` (JSON) and ``…/inbound.html`` (a plain page, like the reports): the
replies that did not become comments, with the reason, and the ones that did but were flagged (sent from
another address). ``?show=all`` lists every reply. Staff of an estate see what was sent about its issues or by
its members, and mail no reply address tied to anyone (forged, unknown), which belongs to no estate.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any, Literal
from uuid import UUID

from litestar import Response, delete, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from msgspec import Struct

from server.auth.dependencies import SIGNED_IN
from server.auth.sessions import Viewer
from server.db import tables as t
from server.db.engine import current_engine, write_transaction
from server.i18n import Words, words_for
from server.notify.wording import ENGLISH, inbound_reason, outcome_label
from server.problems import Forbidden, NotFound, problem_responses
from server.replies.addresses import revoke_reply_addresses
from server.reports.pages import _page as report_page

_HTML = "text/html; charset=utf-8"
Show = Literal["review", "all"]


class ReceivedPhoto(Struct):
    filename: str
    sha256: str
    status: str
    reason: str = ""


class ReceivedReply(Struct):
    """A message that came in to a reply address, and what became of it."""

    id: UUID
    received_at: dt.datetime
    via: str
    from_address: str
    subject: str
    outcome: str
    """``comment`` (added to the timeline), ``quarantined`` (kept, not added) or ``refused`` (too large)."""
    outcome_label: str
    reason: str
    """Why it is here: ``sender_mismatch``, ``tampered_token``, ``auto_reply``… (empty for a plain comment)."""
    reason_label: str
    flagged: bool
    detail: str
    person_id: UUID | None
    person_name: str | None
    issue_id: UUID | None
    issue_title: str | None
    new_text: str
    text: str
    """The whole message as text (HTML turned to text), quoted parts included."""
    photos: list[ReceivedPhoto]
    comment_id: UUID | None


class RevokedAddresses(Struct):
    revoked: int


#: Everything but the original message's bytes.
LISTED = [column for column in t.MailInbound._meta.columns if column._meta.name != "original"]


def _require_staff(viewer: Viewer, estate_id: UUID) -> None:
    role = viewer.roles.get(estate_id)
    if role is None:
        raise NotFound("there is no estate that you can see")
    if role != "staff":
        raise Forbidden("only staff of the estate can read the replies received by e-mail")


async def received_replies(estate_id: UUID, show: Show) -> list[ReceivedReply]:
    members = [row["user_id"] for row in await t.Membership.select(t.Membership.user_id).where(
        t.Membership.estate_id == estate_id)]
    unattributed = t.MailInbound.estate_id.is_null() & t.MailInbound.user_id.is_null()
    mine = (t.MailInbound.estate_id == estate_id) | unattributed
    if members:
        mine = mine | (t.MailInbound.estate_id.is_null() & t.MailInbound.user_id.is_in(members))
    if show == "review":
        mine = mine & ((t.MailInbound.outcome != "comment") | (t.MailInbound.flagged == True))  # noqa: E712
    rows = await (t.MailInbound.select(*LISTED).where(mine)
                  .order_by(t.MailInbound.received_at, ascending=False).limit(200))
    people = await _names(t.AppUser, {row["user_id"] for row in rows if row["user_id"]})
    issues = await _names(t.Issue, {row["issue_id"] for row in rows if row["issue_id"]}, column="title")
    return [ReceivedReply(
        id=row["id"], received_at=row["received_at"], via=row["via"], from_address=row["from_address"],
        subject=row["subject"], outcome=row["outcome"], outcome_label=outcome_label(row["outcome"]),
        reason=row["reason"], reason_label=inbound_reason(row["reason"]), flagged=row["flagged"],
        detail=row["detail"], person_id=row["user_id"], person_name=people.get(row["user_id"]),
        issue_id=row["issue_id"], issue_title=issues.get(row["issue_id"]), new_text=row["new_text"],
        text=row["text"], photos=[ReceivedPhoto(**photo) for photo in _list(row["photos"])],
        comment_id=row["event_id"]) for row in rows]


def _list(value: Any) -> list[dict[str, Any]]:
    import msgspec

    if isinstance(value, (str, bytes)):
        value = msgspec.json.decode(value)
    return value if isinstance(value, list) else []


async def _names(table: Any, ids: set[UUID], column: str = "name") -> dict[UUID, str]:
    if not ids:
        return {}
    rows = await table.select(table.id, getattr(table, column)).where(table.id.is_in(list(ids)))
    return {row["id"]: row[column] for row in rows}


@get("/api/estates/{estate_id:uuid}/mail/inbound", tags=["mail"], security=SIGNED_IN,
     responses=problem_responses(401, 403, 404))
async def inbound_mail(estate_id: FromPath[UUID], viewer: NamedDependency[Viewer],
                       show: FromQuery[Show] = "review") -> list[ReceivedReply]:
    """Replies received by e-mail that staff should look at (``show=all``: every one), the newest 200."""
    _require_staff(viewer, estate_id)
    return await received_replies(estate_id, show)


@get("/api/estates/{estate_id:uuid}/mail/inbound.html", tags=["mail"], security=SIGNED_IN,
     responses=problem_responses(401, 403, 404), media_type=_HTML)
async def inbound_mail_page(estate_id: FromPath[UUID], viewer: NamedDependency[Viewer],
                            show: FromQuery[Show] = "review") -> Response[str]:
    """The same as a page staff can open in a browser."""
    _require_staff(viewer, estate_id)
    estate = await t.Estate.select(t.Estate.name).where(t.Estate.id == estate_id).first()
    words = await words_for(viewer.user_id)
    return Response(inbound_page(estate["name"] if estate else "", await received_replies(estate_id, show), show,
                                 words), media_type=_HTML)


@delete("/api/me/mail/reply-addresses", tags=["mail"], status_code=200, security=SIGNED_IN,
        responses=problem_responses(401))
async def revoke_my_reply_addresses(viewer: NamedDependency[Viewer]) -> RevokedAddresses:
    """Stop every reply address sent to me so far from working (a mailbox someone else can read, say).

    E-mails sent from now on carry new ones.
    """
    async with write_transaction(current_engine()):
        return RevokedAddresses(revoked=await revoke_reply_addresses(viewer.user_id))


def _row(reply: ReceivedReply, words: Words) -> str:
    say = words.t
    photos = ", ".join(f"{escape(p.filename or p.sha256[:12])} ({escape(p.status)}"
                       f"{': ' + escape(p.reason) if p.reason else ''})" for p in reply.photos)
    detail = f'<div class="note">{escape(reply.detail)}</div>' if reply.detail else ""
    photo_line = f'<div class="where">{say("inbound.photos", photos=photos)}</div>' if photos else ""
    needs_a_look = reply.flagged or reply.outcome != "comment"
    when = (reply.received_at.strftime("%-d %b %Y %H:%M") if words.code == ENGLISH.code
            else reply.received_at.strftime("%Y-%m-%d %H:%M"))
    person = escape(reply.person_name or say("inbound.unknown_person"))
    # What people wrote (subject, message) is shown as written, in whatever direction it is written.
    return (f'<tr class="{"flag" if needs_a_look else ""}"><td>{when}</td>'
            f'<td>{escape(reply.from_address)}<div class="where">{person}</div>'
            f'</td><td dir="auto">{escape(reply.issue_title or "—")}'
            f'<div class="where">{escape(reply.subject)}</div></td>'
            f'<td>{escape(outcome_label(reply.outcome, words))}'
            f'<div class="note">{escape(inbound_reason(reply.reason, words))}</div>{detail}</td>'
            f'<td dir="auto"><details><summary>{escape(reply.new_text[:200] or say("inbound.no_text"))}</summary>'
            f'<pre>{escape(reply.text)}</pre></details>{photo_line}</td></tr>')


def inbound_page(estate: str, replies: list[ReceivedReply], show: Show, words: Words = ENGLISH) -> str:
    """Plain HTML, one stylesheet, no script: the strict Content-Security-Policy holds. In the reader's language."""
    say = words.t
    if show == "review":
        intro = escape(say("inbound.intro_review"))
        switch = f'<a href="?show=all">{escape(say("inbound.show_all"))}</a>'
    else:
        intro = escape(say("inbound.intro_all"))
        switch = f'<a href="?show=review">{escape(say("inbound.show_review"))}</a>'
    nothing = f"<tr><td colspan=5>{escape(say('inbound.none'))}</td></tr>"
    rows = "".join(_row(reply, words) for reply in replies) or nothing
    heads = "".join(f"<th>{escape(say(f'inbound.col_{name}'))}</th>"
                    for name in ("received", "from", "issue", "outcome", "message"))
    body = (f'<header><p class="estate">{escape(estate)}</p><h1>{escape(say("inbound.title"))}</h1>'
            f'<p>{intro} {switch}</p></header><table><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>')
    return report_page(say("inbound.doc_title", estate=estate), body, words)


ROUTES = [inbound_mail, inbound_mail_page, revoke_my_reply_addresses]
