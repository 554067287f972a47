"""The pieces of replies by e-mail that need no server: reply addresses, and finding the new words of a reply.

``reply_formats/`` holds replies as the common mail clients write them (Gmail, Outlook desktop and web, Apple
Mail on the iPhone and the Mac, Thunderbird, mutt; plain-text and HTML-only), in English, Turkish, Vietnamese,
Chinese and Somali, with a German one for the library's own patterns. Each ``NAME.eml`` has its new text in
``NAME.txt``, written by hand.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from server.notify.wording import REPLY_MARKER
from server.replies.addresses import ReplyKeys, make_token, read_token, reply_address, tokens_in
from server.replies.html_text import html_to_text
from server.replies.reading import read_mail
from server.replies.reply_text import new_text

FORMATS = Path(__file__).parent / "reply_formats"
KEYS = ReplyKeys(domain="replies.council.example", secret=b"x" * 40, days=30)
NOW = dt.datetime(2026, 12, 2, 10, 15, tzinfo=dt.timezone.utc)


def test_a_reply_address_fits_an_smtp_local_part_and_reads_back():
    address = reply_address("0123456789abcdef", NOW + dt.timedelta(days=30), KEYS)
    local, _, domain = address.partition("@")
    assert domain == KEYS.domain and len(local) <= 64 and local == local.lower()
    (token,) = tokens_in([f"Estatewalk <{address.upper()}>", "someone@replies.council.example",
                          "reply+x@another.example"], KEYS.domain)
    reading = read_token(token, KEYS, NOW)
    assert (reading.address_id, reading.problem) == ("0123456789abcdef", None)


def test_a_reply_address_cannot_be_guessed_altered_or_used_late():
    token = make_token("0123456789abcdef", NOW + dt.timedelta(days=1), KEYS.secret)
    assert read_token(token, KEYS, NOW + dt.timedelta(days=2)).problem == "expired_token"
    other_secret = ReplyKeys(domain=KEYS.domain, secret=b"y" * 40, days=30)
    assert read_token(token, other_secret, NOW).problem == "tampered_token"
    # Extending its life means changing the signed expiry: the signature no longer matches.
    longer = make_token("0123456789abcdef", NOW + dt.timedelta(days=99), b"guessed secret")
    assert read_token(longer, KEYS, NOW).problem == "tampered_token"
    for changed in range(len(token) - 1):  # the last character carries a spare bit
        flipped = token[:changed] + ("a" if token[changed] != "a" else "b") + token[changed + 1:]
        assert read_token(flipped, KEYS, NOW).problem in ("tampered_token", "unknown_token"), changed
    for garbage in ("", "a" * 36, "1" * 37, token + "a", "reply"):
        assert read_token(garbage, KEYS, NOW).problem == "unknown_token"


@pytest.mark.parametrize("eml", sorted(FORMATS.glob("*.eml")), ids=lambda path: path.stem)
def test_each_reply_format_gives_the_new_text(eml: Path):
    mail = read_mail(eml.read_bytes())
    source = mail.plain if mail.plain is not None else html_to_text(mail.html or "", stop_at_quote=True)
    assert new_text(source) == eml.with_suffix(".txt").read_text(encoding="utf-8").strip()


@pytest.mark.parametrize("eml", sorted(FORMATS.glob("*.eml")), ids=lambda path: path.stem)
def test_each_reply_format_gives_the_new_text_without_our_marker_line_too(eml: Path):
    """Mail from before the marker existed, or a client that drops it: the quote headers alone must do."""
    mail = read_mail(eml.read_bytes())
    source = mail.plain if mail.plain is not None else html_to_text(mail.html or "", stop_at_quote=True)
    assert new_text(re.sub(r".*##-.*-##.*", "", source)) == \
        eml.with_suffix(".txt").read_text(encoding="utf-8").strip()


def test_the_marker_cuts_a_reply_whatever_client_quoted_it():
    body = f"Fixed now\n\nLe 2 déc. 2026 à 10:15, quelque chose d'inconnu :\n>> {REPLY_MARKER}\n>> Hello"
    assert new_text(body) == "Fixed now\n\nLe 2 déc. 2026 à 10:15, quelque chose d'inconnu :"
    assert new_text(f"Fixed now\n{REPLY_MARKER.replace('Reply above', 'Antwoord boven')}\nHello") == "Fixed now"


def test_short_answers_lists_and_thanks_in_the_middle_are_kept():
    assert new_text("yes") == "yes"
    assert new_text("Still broken.\nThanks, but the door is worse now.\nIt bangs all night.") == \
        "Still broken.\nThanks, but the door is worse now.\nIt bangs all night."
    assert new_text("Two things:\n- the light\n- the lock\n\nKind regards,\nAyşe Demir\nLarkspur TRA") == \
        "Two things:\n- the light\n- the lock"
    # Vietnamese words starting "Kh" (a Danish sign-off to the library) are words, not a signature.
    assert new_text("Đèn vẫn tắt.\nKhông ai đến sửa.") == "Đèn vẫn tắt.\nKhông ai đến sửa."


def test_html_is_only_ever_text():
    html = ('<html><head><style>p{color:red}</style><script>steal()</script></head><body>'
            '<p onclick="x()">Fixed &amp; <b>tested</b></p><img src="https://tracker.example/p.gif">'
            '<iframe src="https://evil.example"></iframe><p>Line two<br>line three</p>'
            '<blockquote type="cite">quoted</blockquote></body></html>')
    assert html_to_text(html) == "Fixed & tested\nLine two\nline three\n> quoted"
    assert html_to_text(html, stop_at_quote=True) == "Fixed & tested\nLine two\nline three"
    assert html_to_text("<p>unclosed <b>bold <i>text") == "unclosed bold text"


def test_machines_are_recognised_from_headers_and_subjects():
    def machine(headers: str) -> str | None:
        return read_mail(f"From: a@example.org\n{headers}\n\nbody\n".encode()).machine_made

    assert machine("Auto-Submitted: auto-replied") == "auto_reply"
    assert machine("Auto-Submitted: no") is None
    assert machine("Precedence: bulk") == "auto_reply"
    assert machine("X-Autoreply: yes") == "auto_reply"
    assert machine("Subject: Otomatik yanıt: Estatewalk") == "auto_reply"
    assert machine("Subject: Automatic reply: Estatewalk") == "auto_reply"
    assert machine("Subject: Re: the automatic door") is None
    assert machine("Return-Path: <>") == "bounce"
    assert machine("Content-Type: multipart/report; report-type=delivery-status; boundary=x") == "bounce"
    assert read_mail(b"From: MAILER-DAEMON@example.org\n\nbody\n").machine_made == "bounce"
