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
#: The phone's catalogues: the server borrows their names of grades and of the things graded on a walk, so the
#: printable summary says them as the phone does.
PHONE = HERE.parent.parent / "pwa" / "i18n"


@cache
def catalogue(name: str) -> dict[str, str]:
    path = HERE / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


@cache
def phone_catalogue(name: str) -> dict[str, str]:
    path = PHONE / f"{name}.json"
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

    def plural(self, count: int) -> str:
        """The CLDR plural form of ``count`` in this language. The languages here need at most "one" and
        "other", and "one" is exactly 1 in each of them (``sync.languages`` lists the forms each needs)."""
        return "one" if count == 1 and "one" in self.language.plurals else "other"

    def t(self, key: str, **params: object) -> str:
        """The message ``key`` filled with ``params``; with an integer ``count``, its plural form
        (``key_one`` / ``key_other``) when the catalogue counts that message."""
        text = None
        count = params.get("count")
        if isinstance(count, int):
            forms = (f"{key}_{self.plural(count)}", f"{key}_other")
            text = next((found[form] for found in (self._messages, self._english) for form in forms
                         if found.get(form)), None)
        text = text or self._messages.get(key) or self._english.get(key) or key
        return string.Formatter().vformat(text, (), _Keep({k: str(v) for k, v in params.items()}))


    def grade(self, scheme: str, grade: str, english: str) -> str:
        """A grade as the phone names it in this language ("C – kötü ya da orta"); ``english`` in English."""
        if self.language.catalogue == "en":
            return english
        return phone_catalogue(self.language.catalogue).get(f"grade.{scheme}.{grade}") or english

    def element(self, element: str) -> str:
        """A thing graded on a walk (``bin_store``) as the phone names it in this language."""
        plain = element.replace("_", " ")
        if self.language.catalogue == "en":
            return plain
        found = phone_catalogue(self.language.catalogue)
        return found.get(f"element.{element}") or found.get(f"category.{element}") or plain


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
