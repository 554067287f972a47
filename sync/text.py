"""What text and numbers a person may send: the rules every value crossing the edge obeys, phone and server.

One place, because the failures they prevent are the same everywhere: PostgreSQL refuses a NUL in any text
column (a 500 on every retry of the same push, so the phone's queue would stall behind it), other control
characters garble PDFs, e-mails and CSV exports, and a number wider than 64 bits overflows every integer column
and query parameter. Newlines and tabs are ordinary text (comments have paragraphs).

``problem_in`` walks decoded JSON (plain dicts, lists, strings, numbers) and names the first offending field, so a
refusal can say which one it was. The phone gets ``CONTROL_CHARACTERS`` through ``pwa/js/rules.js`` and strips
them from what is typed or pasted before it is queued.
"""

from __future__ import annotations

import re
from typing import Any

#: C0 controls apart from tab, line feed and carriage return; DEL; C1 controls. (Lone surrogates cannot reach
#: here: the JSON decoder refuses them.) Written with escapes: the same text is a regular expression in Python
#: and in JavaScript.
CONTROL_CHARACTERS = r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]"
_CONTROL = re.compile(CONTROL_CHARACTERS)

#: Bounds every integer in a request: what fits a signed 64-bit column (PostgreSQL ``bigint``, SQLite INTEGER).
MIN_INTEGER = -(2**63)
MAX_INTEGER = 2**63 - 1

#: No single text value anywhere may be longer (each field has its own, smaller limit on top).
MAX_TEXT_LENGTH = 100_000

#: How deeply JSON may nest. The deepest real message (a push: body, mutations, one mutation, args, fields,
#: base) is six levels.
MAX_DEPTH = 32


def control_character_in(text: str) -> str | None:
    """The first control character in ``text`` as ``U+0000``, or None."""
    found = _CONTROL.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def without_control_characters(text: str) -> str:
    return _CONTROL.sub("", text)


def _field(path: list[str | int]) -> str:
    """``args.attendees[2]`` for a path into decoded JSON; ``the body`` for the top level."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "the body"


def problem_in(value: Any, path: list[str | int] | None = None) -> str | None:
    """The first broken rule in decoded JSON, naming the field (``args.body contains a control character``)."""
    path = path or []
    stack: list[tuple[Any, list[str | int]]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if len(item) > MAX_TEXT_LENGTH:
                return f"{_field(where)} is longer than {MAX_TEXT_LENGTH} characters"
            bad = control_character_in(item)
            if bad:
                return f"{_field(where)} contains a control character ({bad}), which is not accepted in text"
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not MIN_INTEGER <= item <= MAX_INTEGER:
                return f"{_field(where)} is out of range (a whole number must fit in 64 bits)"
        elif isinstance(item, dict):
            for key, inner in reversed(list(item.items())):
                bad = control_character_in(key) if isinstance(key, str) else None
                if bad:
                    return f"a field name in {_field(where)} contains a control character ({bad})"
                stack.append((inner, [*where, key]))
        elif isinstance(item, list):
            stack.extend((inner, [*where, i]) for i, inner in reversed(list(enumerate(item))))
    return None


_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def json_depth_exceeds(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON ``body`` nests deeper than ``limit``, found without decoding it (decoding a deep document is
    exactly what must not happen). Brackets inside strings do not count."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for token in _JSON_TOKENS.finditer(body):
        char = token.group()[:1]
        if char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif char in (b"]", b"}"):
            depth -= 1
    return False
