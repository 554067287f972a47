"""A shared walk: two phones, offline, recording into one inspection because they agree on its id.

Phone A starts a walk and shows a short join code; phone B types it. Neither can ask the server which
inspection that is, so the id is *derived*: a name-based UUID (version 5, SHA-1, RFC 9562) of the estate, the
walk's date and the code. Both phones compute the same id and both send ``inspection.create`` with it; the
server applies the first and treats the others as joining (``sync.rules.create_inspection``).

The code is not a key to anything: joining still needs membership of the estate, checked like any other
mutation. It only saves two people from typing a 36-character id. The phone (``pwa/js/walk.js``) computes the
same derivation with WebCrypto from the constants below, which reach it through ``pwa/js/rules.js``.
"""

from __future__ import annotations

import datetime as dt
import uuid

#: The namespace of shared-walk ids. Changing it would split every walk in progress in two: never change it.
WALK_NAMESPACE = uuid.UUID("8f3c2b1e-5a47-4d0e-9b6a-3e1f7c9d2a44")

#: The name hashed into the id. ``code`` is normalised first (upper case, no separators, look-alikes folded).
WALK_NAME_FORMAT = "estatewalk:walk:{estate_id}:{date}:{code}"

#: Crockford's base 32: digits and capitals without I, L, O and U, so a code read aloud or off a screen in a
#: dark stairwell is typed right. Five random characters and a check character: 32**5 codes, so two walks on
#: one estate and day share an id by chance about once in 33 million.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 6

#: The last character is the weighted sum of the others' positions in the alphabet, modulo 32. Odd weights are
#: invertible modulo 32, so any one mistyped character is caught on the phone, offline, before it silently
#: starts a second inspection instead of joining the first.
CHECK_WEIGHTS = (1, 3, 5, 7, 9)

#: What people type for a letter the alphabet leaves out.
_LOOK_ALIKES = {"O": "0", "I": "1", "L": "1", "U": "V"}


def check_character(body: str) -> str:
    """The character that ends a code whose first characters are ``body``."""
    return CODE_ALPHABET[sum(w * CODE_ALPHABET.index(c) for w, c in zip(CHECK_WEIGHTS, body)) % len(CODE_ALPHABET)]


def normalise_code(typed: str) -> str:
    """The code as hashed: upper case, spaces and dashes dropped, look-alike letters folded.

    Raises ``ValueError`` when what is left is not ``CODE_LENGTH`` characters of the alphabet ending in the
    right check character.
    """
    code = "".join(_LOOK_ALIKES.get(c, c) for c in typed.upper() if c not in " -")
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise ValueError(f"a join code is {CODE_LENGTH} letters and digits")
    if code[-1] != check_character(code[:-1]):
        raise ValueError("this join code has a typing mistake")
    return code


def shared_walk_id(estate_id: uuid.UUID | str, date: dt.date | str, code: str) -> uuid.UUID:
    """The inspection id every phone derives for this estate, date (YYYY-MM-DD) and join code."""
    day = date.isoformat() if isinstance(date, dt.date) else dt.date.fromisoformat(date).isoformat()
    name = WALK_NAME_FORMAT.format(estate_id=str(uuid.UUID(str(estate_id))), date=day,
                                   code=normalise_code(code))
    return uuid.uuid5(WALK_NAMESPACE, name)
