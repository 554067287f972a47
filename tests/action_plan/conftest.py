"""Real mail servers for the e-mail tests: an SMTP server (aiosmtpd, in a thread) that records every message it
accepts, Estatewalk's own reply receiver in its own process, and a Dovecot IMAP server started for the test."""

from __future__ import annotations

import email
import email.policy
import grp
import imaplib
import os
import pwd
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from server.settings import Settings
from tests.conftest import IN_CI, free_port


class Inbox:
    """What the SMTP server accepted. It can be stopped and started again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str, containing: str = "") -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address and containing in m.get_content()]

    def outbox_ids(self) -> list[str]:
        with self._lock:
            return [m["X-Estatewalk-Outbox-Id"] for m in self.messages]

    def wait_for(self, address: str, containing: str, timeout: float = 20) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address, containing)
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"no e-mail to {address} containing {containing!r} within {timeout}s")


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    server = Inbox()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mail_env(inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> Inbox:
    """``estatewalk send-mail`` run through ``run_cli`` sends to the test's SMTP server."""
    monkeypatch.setenv("ESTATEWALK_SMTP_URL", inbox.url)
    return inbox


# --- replies by e-mail: the reply settings, a real IMAP server and the real receiver ---------------------------

REPLY_DOMAIN = "replies.council.example"
REPLY_SECRET = "a secret only this test suite knows, long enough to sign"


@pytest.fixture
def replies_env(inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> Inbox:
    """``send-mail`` sends to the test's SMTP server with reply addresses; commands run with replies on."""
    monkeypatch.setenv("ESTATEWALK_SMTP_URL", inbox.url)
    monkeypatch.setenv("ESTATEWALK_REPLY_DOMAIN", REPLY_DOMAIN)
    monkeypatch.setenv("ESTATEWALK_REPLY_SECRET", REPLY_SECRET)
    return inbox


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise RuntimeError(f"{what} stopped at start: {output}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout}s")


def command_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment ``run_cli`` gives a command, for one started in the background."""
    env = {**os.environ, "ESTATEWALK_DATA": str(settings.data_dir), **extra}
    env.pop("DATABASE_URL", None)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    return env


@dataclass
class Receiver:
    port: int
    max_bytes: int

    def send(self, raw: bytes, to: list[str], sender: str = "rep@demo.test", *, lmtp: bool = False,
             announce_size: bool = True) -> dict:
        """Hand a message over as a mail server would; returns the refused recipients (smtplib's answer).

        ``announce_size=False`` sends it as a mail server that ignores the SIZE extension would."""
        client = smtplib.LMTP("127.0.0.1", self.port) if lmtp else smtplib.SMTP("127.0.0.1", self.port, timeout=60)
        with client:
            if not announce_size:
                client.ehlo()
                client.esmtp_features.pop("size", None)
            return client.sendmail(sender, to, raw)


@pytest.fixture
def receiver(settings: Settings, replies_env: Inbox) -> Iterator[Receiver]:
    """``estatewalk receive-mail`` in its own process, against the test's database (200 kB limit)."""
    port, limit = free_port(), 200_000
    process = subprocess.Popen([sys.executable, "-m", "server.cli", "receive-mail", "--listen", f"127.0.0.1:{port}"],
                               env=command_env(settings, ESTATEWALK_MAX_REPLY_BYTES=str(limit)),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_port(port, process, "estatewalk receive-mail")
        yield Receiver(port=port, max_bytes=limit)
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(f"--- receive-mail said:\n{output}", file=sys.stderr)  # shown when a test fails


DOVECOT_CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
default_internal_user = {internal}
default_login_user = {login}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass
class Dovecot:
    """A real IMAP server (Debian's Dovecot) with one mailbox, in a temporary directory, on its own port."""

    port: int
    user: str
    password: str

    @property
    def url(self) -> str:
        return f"imap://{self.user.replace('@', '%40')}:{self.password}@127.0.0.1:{self.port}/INBOX?done=Estatewalk"

    def _client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        client.login(self.user, self.password)
        return client

    def deliver(self, raw: bytes) -> None:
        """Put a message in the inbox, as the mail provider's delivery would."""
        client = self._client()
        try:
            status, detail = client.append("INBOX", None, None, raw)
            assert status == "OK", detail
        finally:
            client.logout()

    def folder(self, name: str) -> list[bytes]:
        """The messages in a folder (none if it does not exist)."""
        client = self._client()
        try:
            status, _ = client.select(f'"{name}"', readonly=True)
            if status != "OK":
                return []
            _, found = client.uid("SEARCH", None, "ALL")
            messages = []
            for uid in found[0].split():
                _, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
                messages.extend(item[1] for item in data if isinstance(item, tuple))
            return messages
        finally:
            client.logout()


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if binary is None:
        if IN_CI:
            pytest.fail("CI=true needs Dovecot (Debian's dovecot-imapd; ./dev test installs it)")
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd, or run ./dev test)")
    # Not under pytest's tmp_path: Dovecot's helpers run as its own users and must reach the password file and
    # the mailbox, which root's private temporary directories would hide from them.
    root = Path(tempfile.mkdtemp(prefix="estatewalk-dovecot-"))
    root.chmod(0o755)
    for sub in ("run", "state", "home"):
        (root / sub).mkdir(parents=True)
    port, user, password = free_port(), "replies@council.example", "imap test password"
    (root / "users").write_text(f"{user}:{{PLAIN}}{password}\n")
    if os.geteuid() == 0:
        # Dovecot never gives root a mailbox: the mail is kept as "nobody", its helpers run as its own users.
        internal, login, mail_user, mail_group = "dovecot", "dovenull", "nobody", "nogroup"
        shutil.chown(root / "home", mail_user, mail_group)
    else:
        me = pwd.getpwuid(os.getuid()).pw_name
        internal = login = mail_user = me
        mail_group = grp.getgrgid(os.getgid()).gr_name
    config = root / "dovecot.conf"
    config.write_text(DOVECOT_CONFIG.format(root=root, port=port, internal=internal, login=login,
                                            mail_user=mail_user, mail_group=mail_group))
    process = subprocess.Popen([binary, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        wait_for_port(port, process, "Dovecot")
        yield Dovecot(port=port, user=user, password=password)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)
