"""The rules the phone runs too, exported from their one source in ``sync/`` into ``pwa/js/rules.js``.

The phone must offer only what the server will accept (status moves, who may do what, field limits, grading
schemes), and it must know them offline. Retyping them in JavaScript drifted once already; so the phone's copy is
generated from these tables, and ``tests/sync/test_shared_rules.py`` fails when the committed file is stale.

Regenerate with ``python -m sync.shared_rules``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sync import mutations, protocol, text
from sync.languages import DEFAULT_LANGUAGE, LANGUAGES
from sync.grading import DEFAULT_SCHEME, ELEMENTS, RECHECK_OUTCOMES, SCHEMES
from sync.permissions import PERMISSIONS, STAFF_ONLY_FIELDS
from sync.records import CATEGORIES, MAIL_MODES, PRIORITIES, ROLES
from sync.walks import CHECK_WEIGHTS, CODE_ALPHABET, CODE_LENGTH, WALK_NAME_FORMAT, WALK_NAMESPACE
from sync.workflow import OPEN_STATUSES, RESOLVED_STATUSES, STATUSES, TRANSITIONS

PHONE_COPY = Path(__file__).resolve().parents[1] / "pwa" / "js" / "rules.js"

#: Statuses that end an issue for everyone: nothing more is expected of anyone.
CLOSED_STATUSES = ("confirmed", "wont_fix")


def _max_length(annotated: Any) -> int:
    return next(meta.max_length for meta in annotated.__metadata__ if getattr(meta, "max_length", None))


def shared_rules() -> dict[str, Any]:
    """Every rule the phone needs, as plain JSON data (stable order, so the generated file diffs cleanly)."""
    return {
        "roles": list(ROLES),
        "statuses": list(STATUSES),
        "open_statuses": [s for s in STATUSES if s in OPEN_STATUSES],
        "resolved_statuses": [s for s in STATUSES if s in RESOLVED_STATUSES],
        "closed_statuses": list(CLOSED_STATUSES),
        "transitions": [
            {
                "from": source,
                "to": target,
                "roles": dict(transition.roles),
                "needs_note": transition.needs_note,
                "needs_owner_and_due_date": transition.needs_owner_and_due_date,
            }
            # Sorted: the table is partly built from a set, whose order changes from one process to the next.
            for (source, target), transition in sorted(
                TRANSITIONS.items(), key=lambda item: (STATUSES.index(item[0][0]), STATUSES.index(item[0][1])))
        ],
        "permissions": {action: dict(rules) for action, rules in PERMISSIONS.items()},
        "staff_only_fields": sorted(STAFF_ONLY_FIELDS),
        "categories": list(CATEGORIES),
        "priorities": list(PRIORITIES),
        "mail_modes": list(MAIL_MODES),
        "grading": {
            "default_scheme": DEFAULT_SCHEME,
            "schemes": {
                name: {"grades": list(scheme.grades), "labels": dict(scheme.labels)}
                for name, scheme in SCHEMES.items()
            },
            "elements": list(ELEMENTS),
            "recheck_outcomes": list(RECHECK_OUTCOMES),
        },
        # How phones sharing a walk derive its id offline (sync/walks.py): the phone hashes with WebCrypto.
        "shared_walk": {
            "namespace": str(WALK_NAMESPACE),
            "name_format": WALK_NAME_FORMAT,
            "code_alphabet": CODE_ALPHABET,
            "code_length": CODE_LENGTH,
            "code_check_weights": list(CHECK_WEIGHTS),
        },
        # The languages the app speaks (sync/languages.py): the picker, the catalogue files, the direction.
        "languages": {
            "default": DEFAULT_LANGUAGE,
            "list": [
                {"code": language.code, "name": language.name, "english_name": language.english_name,
                 "dir": language.dir, "catalogue": language.catalogue, "formats": language.formats}
                for language in LANGUAGES
            ],
        },
        "limits": {
            "short_text": _max_length(mutations.ShortText),
            "text": _max_length(mutations.Text),
            "mutations_per_push": mutations.MAX_BATCH,
            # What the phone asks for in one pull page: the most the server allows (sync/protocol.py).
            "changes_per_pull": protocol.MAX_PULL_LIMIT,
        },
        # Characters no text may hold (sync/text.py); the phone strips them from what is typed or pasted.
        "control_characters": text.CONTROL_CHARACTERS,
    }


def phone_copy() -> str:
    """The text of ``pwa/js/rules.js``."""
    body = json.dumps(shared_rules(), indent=2, ensure_ascii=False)
    return (
        "/**\n"
        " * GENERATED from sync/ by `python -m sync.shared_rules`: do not edit by hand.\n"
        " * The server enforces these same tables; tests/sync/test_shared_rules.py fails when this copy is stale.\n"
        " */\n"
        f"export const RULES = Object.freeze({body});\n"
    )


def main() -> None:
    PHONE_COPY.write_text(phone_copy())
    print(f"wrote {PHONE_COPY}")


if __name__ == "__main__":
    main()
