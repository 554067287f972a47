"""A real SMTP server (aiosmtpd, in a thread) that records every message it accepts."""

from __future__ import annotations

import email
import email.policy
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import free_port


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
