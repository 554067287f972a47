"""The languages Estatewalk speaks: one table, read by the server (e-mails, printable pages, PDFs) and exported
to the phone (``pwa/js/rules.js``) so the language picker, the catalogue files and the writing direction agree.

Each language has its own catalogue, ``pwa/i18n/<catalogue>.json``; ``reviewed`` is false until a fluent speaker
has checked it (the flag itself lives in the catalogue, ``"_reviewed"``, so the speaker who checks it flips it in
the same change). ``plurals`` lists the plural forms (CLDR categories) the language needs for counted messages, so
the catalogue test can insist on them without a JavaScript engine. ``formats`` is the locale ``Intl`` formats
dates and numbers with, where the language's own tag is not one browsers know.
"""

from __future__ import annotations

from msgspec import Struct


class Language(Struct, frozen=True):
    code: str
    """The BCP 47 tag stored on the person (``app_user.language``) and put in ``lang`` attributes."""
    name: str
    """The language's name in its own script, as the picker shows it."""
    english_name: str
    dir: str
    """``ltr`` or ``rtl``."""
    catalogue: str
    """The file name (without ``.json``) of its catalogue in ``pwa/i18n/``."""
    formats: str
    plurals: tuple[str, ...]


LANGUAGES: tuple[Language, ...] = (
    Language("en-GB", "English", "English", "ltr", "en", "en-GB", ("one", "other")),
    Language("tr", "Türkçe", "Turkish", "ltr", "tr", "tr", ("one", "other")),
    # Kurmanji is written in Latin script; browsers know its dates as plain "ku".
    Language("kmr", "Kurmancî", "Kurdish (Kurmanji)", "ltr", "kmr", "ku", ("one", "other")),
    Language("ckb", "کوردیی ناوەندی", "Kurdish (Sorani)", "rtl", "ckb", "ckb", ("one", "other")),
    Language("vi", "Tiếng Việt", "Vietnamese", "ltr", "vi", "vi", ("other",)),
    Language("so", "Soomaali", "Somali", "ltr", "so", "so", ("one", "other")),
    Language("zh-Hans", "简体中文", "Chinese (Simplified)", "ltr", "zh-Hans", "zh-Hans", ("other",)),
)

DEFAULT_LANGUAGE = "en-GB"

BY_CODE: dict[str, Language] = {language.code: language for language in LANGUAGES}

LANGUAGE_CODES: tuple[str, ...] = tuple(BY_CODE)


def language_of(code: str | None) -> Language:
    """The language for a stored tag; an empty or unknown tag (a person who never chose) means English."""
    if code and code in BY_CODE:
        return BY_CODE[code]
    if code:
        # "tr-TR" or "zh-CN" from a browser: the first language whose tag starts the same way.
        base = code.split("-")[0].lower()
        for language in LANGUAGES:
            if language.code.split("-")[0].lower() == base:
                return language
    return BY_CODE[DEFAULT_LANGUAGE]
