"""Hybrid-logical-clock stamps.

A stamp is ``"<unix ms, 15 digits>:<counter, 5 digits>:<client_id>"``. Zero-padding makes plain string order the
same as time order, so the database and the phone can compare stamps without parsing them.
"""

from __future__ import annotations

import re
from typing import NamedTuple

STAMP_PATTERN = r"^\d{15}:\d{5}:[0-9A-Za-z-]{1,64}$"
_STAMP_RE = re.compile(STAMP_PATTERN)

#: How far ahead of the server's clock a stamp may be before the server bounds it. A little slack absorbs
#: ordinary drift between a phone and the server; hours of skew do not pass.
MAX_FUTURE_MS = 60_000
MAX_COUNTER = 99_999


class Stamp(NamedTuple):
    millis: int
    counter: int
    node: str

    def __str__(self) -> str:
        return format_stamp(self.millis, self.counter, self.node)


def format_stamp(millis: int, counter: int, node: str) -> str:
    return f"{millis:015d}:{counter:05d}:{node}"


def parse_stamp(text: str) -> Stamp:
    """Parse a stamp, raising ``ValueError`` for anything that is not one."""
    if not _STAMP_RE.match(text):
        raise ValueError(f"not a clock stamp: {text!r}")
    millis, counter, node = text.split(":", 2)
    return Stamp(int(millis), int(counter), node)


class HybridClock:
    """Issues stamps that never go backwards, even when the wall clock does."""

    def __init__(self, node: str, last: Stamp | None = None) -> None:
        self.node = node
        self.last = last or Stamp(0, 0, node)

    def now(self, wall_ms: int) -> str:
        if wall_ms > self.last.millis:
            self.last = Stamp(wall_ms, 0, self.node)
        else:
            self.last = Stamp(self.last.millis, self.last.counter + 1, self.node)
        return str(self.last)

    def observe(self, stamp: str) -> None:
        """Move past a stamp seen from elsewhere, so the next local stamp sorts after it."""
        seen = parse_stamp(stamp)
        if (seen.millis, seen.counter) > (self.last.millis, self.last.counter):
            self.last = Stamp(seen.millis, seen.counter, self.node)


class StampBounder:
    """Bounds stamps from the future for one push.

    A phone whose clock is hours fast would otherwise win every edit for hours. A stamp more than
    ``MAX_FUTURE_MS`` ahead of the server is replaced by the server's time at receipt (the client id is kept so
    stamps stay unique). Bounded stamps of one push keep their relative order: each is strictly after the one
    before, so the phone's later edit still beats its earlier one.
    """

    def __init__(self, server_now_ms: int, max_future_ms: int = MAX_FUTURE_MS) -> None:
        self.server_now_ms = server_now_ms
        self.max_future_ms = max_future_ms
        self._last: tuple[int, int] = (0, 0)

    def effective(self, stamp: str) -> str:
        original = parse_stamp(stamp)
        if original.millis <= self.server_now_ms + self.max_future_ms:
            return stamp
        millis, counter = self.server_now_ms, 0
        if (millis, counter) <= self._last:
            millis, counter = self._last[0], self._last[1] + 1
            if counter > MAX_COUNTER:
                millis, counter = millis + 1, 0
        self._last = (millis, counter)
        return format_stamp(millis, counter, original.node)
