"""The server's words in each language: e-mails, digests and the printable action plan.

The phone has its own catalogues (``pwa/i18n``); these hold only what the server writes, one JSON file per
language named like the phone's (``sync.languages``), each with ``"_reviewed"`` as there. A key a translation
lacks is said in English, never left out. ``tests/action_plan/test_languages.py`` checks the files against
English the way the phone's are checked.
"""

from __future__ import annotations

import json
import string
from functools import cache
from pathlib import Path
from uuid import UUID

from sync.languages import Language, language_of

HERE = Path(__file__).resolve().parent


@cache
def catalogue(name: str) -> dict[str, str]:
    path = HERE / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Words:
    """The words of one language: ``words.t("mail.hello", name="Ayşe")``."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self._messages = catalogue(language.catalogue)
        self._english = catalogue("en")

    @property
    def code(self) -> str:
        return self.language.code

    @property
    def rtl(self) -> bool:
        return self.language.dir == "rtl"

    def t(self, key: str, **params: object) -> str:
        text = self._messages.get(key) or self._english.get(key) or key
        return string.Formatter().vformat(text, (), _Keep({k: str(v) for k, v in params.items()}))


def words(code: str | None) -> Words:
    """The words for a stored language tag ("" or unknown means English)."""
    return Words(language_of(code))


async def words_for(user_id: UUID | None) -> Words:
    """The words of the language a person chose (``app_user.language``)."""
    from server.db.tables import AppUser

    if user_id is None:
        return words(None)
    row = await AppUser.select(AppUser.language).where(AppUser.id == user_id).first()
    return words(row["language"] if row else None)
