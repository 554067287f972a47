"""The pieces of the mail sender that need no server: reading the SMTP URL and the retry schedule."""

import datetime as dt

import pytest

from server.notify.sender import DEFAULT_FROM, SmtpTarget, backoff
from server.notify.wording import describe_event


def test_the_smtp_url_names_host_port_tls_login_and_sender():
    plain = SmtpTarget.from_url("smtp://127.0.0.1:1025")
    assert (plain.host, plain.port, plain.use_ssl, plain.starttls, plain.username, plain.sender) == (
        "127.0.0.1", 1025, False, False, None, DEFAULT_FROM)
    full = SmtpTarget.from_url("smtps://estate%40council.example:p%40ss@mail.example?from=Estates%20%3Ce@x%3E")
    assert (full.port, full.use_ssl, full.username, full.password, full.sender) == (
        465, True, "estate@council.example", "p@ss", "Estates <e@x>")
    assert SmtpTarget.from_url("smtp://mail.example?starttls=1").starttls
    with pytest.raises(ValueError, match="smtp://"):
        SmtpTarget.from_url("http://mail.example")


def test_retries_back_off_exponentially_up_to_six_hours():
    assert [backoff(n, 30) for n in (1, 2, 3)] == [dt.timedelta(seconds=s) for s in (30, 60, 120)]
    assert backoff(30, 30) == dt.timedelta(hours=6)


def test_an_email_line_says_what_changed_in_plain_words():
    line = describe_event("status_changed", {"from": "fixed", "to": "disputed", "note": "Still dark"}, "Ayşe")
    assert line == "Ayşe changed the status from fixed (waiting for residents to confirm) to disputed by " \
                   "residents (not fixed yet). Note: Still dark"
    assert describe_event("field_changed", {}, "Sam") is None
