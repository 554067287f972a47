"""The words of the e-mails: plain sentences a resident can read on a small phone."""

from __future__ import annotations

from server.i18n import Words, words as words_in

ENGLISH = words_in(None)


def status_label(status: str, words: Words = ENGLISH) -> str:
    """A status as an e-mail says it, in the reader's language."""
    key = f"mail.status.{status}"
    text = words.t(key)
    return status.replace("_", " ") if text == key else text


def describe_event(kind: str, data: dict, actor: str, words: Words = ENGLISH) -> str | None:
    """One line saying what happened, in the reader's language, or None for events nobody needs an e-mail
    about. What people wrote (comments, notes, titles) is quoted as written, never translated."""
    note = (" " + words.t("mail.note", note=data["note"])) if data.get("note") else ""
    if kind == "status_changed":
        return words.t("mail.event.status_changed", actor=actor, **{
            "from": status_label(data.get("from", ""), words), "to": status_label(data.get("to", ""), words)}) + note
    if kind == "comment":
        return words.t("mail.event.comment", actor=actor, body=data.get("body", ""))
    if kind == "merged":
        if data.get("into"):
            return words.t("mail.event.merged_into", actor=actor, title=data.get("title", "")) + note
        return words.t("mail.event.merged_from", actor=actor, title=data.get("title", ""))
    if kind == "rechecked":
        seen = words.t("mail.outcome.still_there" if data.get("outcome") == "still_there" else "mail.outcome.looks_fixed")
        return words.t("mail.event.rechecked", actor=actor, outcome=seen) + (
            f" {data['note']}" if data.get("note") else "")
    if kind == "withdrawn":
        return words.t("mail.event.withdrawn", actor=actor) + (
            " " + words.t("mail.reason", reason=data["reason"]) if data.get("reason") else "")
    return None


def footer(words: Words = ENGLISH) -> str:
    return "\n\n--\n" + words.t("mail.footer")


FOOTER = footer()


# --- replies by e-mail (server/replies) ---------------------------------------------------------------------
# Every sentence a person reads about their e-mailed reply is here, so that it can be translated in one place.

#: The first line of an e-mail that can be answered. Its ``##-`` and ``-##`` ends are what the reply reader looks
#: for (whatever the words between them, in whatever language), so a reply is cut there even when a mail client
#: quotes in a way no pattern knows.
REPLY_MARKER = "##- Reply above this line to add to the issue's timeline -##"
REPLY_MARKER_DIGEST = "##- To add to an issue, reply to the address under it -##"


def reply_line(address: str) -> str:
    """Under each issue of a digest: where to write about that one issue."""
    return f"  Reply about this issue: {address}"


#: Why a message did not become a comment (or was flagged), as staff read it in the quarantine (the words are in
#: ``server/i18n``: ``inbound.reason.<code>``; the JSON API says them in English).
INBOUND_REASON_CODES = ("sender_mismatch", "no_reply_address", "unknown_token", "tampered_token", "expired_token",
                        "revoked_token", "auto_reply", "bounce", "too_large", "photo_too_large", "empty",
                        "digest_reply", "no_access", "unreadable")


def inbound_reason(reason: str, words: Words = ENGLISH) -> str:
    return words.t(f"inbound.reason.{reason}") if reason in INBOUND_REASON_CODES else reason


def outcome_label(outcome: str, words: Words = ENGLISH) -> str:
    return words.t(f"inbound.outcome.{outcome}") if outcome in ("comment", "quarantined", "refused") else ""


def _size(limit_bytes: int) -> str:
    return f"{limit_bytes // (1024 * 1024)} MB" if limit_bytes >= 1024 * 1024 else f"{limit_bytes // 1024} kB"


def too_large_bounce(limit_bytes: int, words: Words = ENGLISH) -> str:
    """The text of an SMTP refusal for a reply over the size limit: the sender's mail server shows it to them."""
    return words.t("reply.why.too_large", size=_size(limit_bytes))


def photo_too_large_bounce(limit_bytes: int, words: Words = ENGLISH) -> str:
    return words.t("reply.why.photo_too_large", size=_size(limit_bytes))


#: The reasons a person is told about, each with the catalogue key that says why.
_NOTICE_REASONS = ("expired_token", "no_access", "too_large", "photo_too_large", "empty", "digest_reply")


def reply_notice(reason: str, *, name: str, title: str, detail: str = "", limit_bytes: int = 0,
                 issues: int = 0, words: Words = ENGLISH) -> tuple[str, str] | None:
    """The subject and body of the e-mail telling someone their reply did not reach the timeline, in their
    language, or None when nobody should be told (a machine's message must never be answered: mail loops start
    that way)."""
    if reason not in _NOTICE_REASONS:
        return None
    why = words.t(f"reply.why.{reason}", size=_size(limit_bytes), count=issues)
    if reason == "no_access" and detail:
        why += f" ({detail})"
    if title:
        subject = words.t("reply.subject_about", title=title)
        said = words.t("reply.not_added_about", title=title, why=why)
    else:
        subject, said = words.t("reply.subject"), words.t("reply.not_added", why=why)
    body = f"{words.t('mail.hello', name=name)}\n\n{said}\n\n{words.t('reply.nothing_changed')}"
    return subject, body + notice_footer(words)


def notice_footer(words: Words = ENGLISH) -> str:
    return "\n\n--\n" + words.t("reply.footer")
