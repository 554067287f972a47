"""Check the phone's message catalogues against English, the source (``pwa/i18n/en.json``).

    python -m tests.browser.catalogues --missing     # per catalogue: keys English has that it lacks
    python -m tests.browser.catalogues               # every problem: missing, extra, placeholders, plurals

A translation must have every key of English (a missing one shows in English), no key English lacks (a typo or a
leftover), the same ``{placeholders}`` as English (a renamed one would show raw), and each plural form its
language needs (``sync.languages``: Vietnamese and Chinese have one form, the others two). Keys starting with
``_`` (``_reviewed``) are about the catalogue, not messages. ``tests/sync/test_catalogues.py`` runs these checks.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from sync.languages import LANGUAGES, Language

I18N = Path(__file__).resolve().parents[2] / "pwa" / "i18n"
PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_PLURAL_KEY = re.compile(r"^(.*)_(" + "|".join(PLURAL_FORMS) + r")$")


def load(name: str, folder: Path | None = None) -> dict[str, str]:
    return json.loads(((folder or I18N) / f"{name}.json").read_text(encoding="utf-8"))


def messages(catalogue: dict[str, object]) -> dict[str, str]:
    return {key: value for key, value in catalogue.items() if not key.startswith("_")}  # type: ignore[misc]


def plural_families(keys: set[str]) -> set[str]:
    """The base keys counted messages are built on (``issues.count`` for ``issues.count_one/_other``)."""
    return {match.group(1) for key in keys if (match := _PLURAL_KEY.match(key))}


def expected_keys(english: dict[str, str], language: Language) -> set[str]:
    """English's keys, with each plural family spelt in the forms this language needs."""
    families = plural_families(set(english))
    plain = {key for key in english if not ((m := _PLURAL_KEY.match(key)) and m.group(1) in families)}
    return plain | {f"{family}_{form}" for family in families for form in language.plurals}


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def english_for(key: str, english: dict[str, str]) -> str:
    if key in english:
        return english[key]
    match = _PLURAL_KEY.match(key)
    return english[f"{match.group(1)}_other"] if match else ""


def problems(language: Language, folder: Path | None = None) -> dict[str, list[str]]:
    """What is wrong with one language's catalogue, by kind (the phone's, or the server's in ``server/i18n``)."""
    folder = folder or I18N
    english = messages(load("en", folder))
    path = folder / f"{language.catalogue}.json"
    if not path.exists():
        return {"missing file": [str(path)]}
    raw = load(language.catalogue, folder)
    found = messages(raw)
    wanted = expected_keys(english, language)
    found_problems: dict[str, list[str]] = {
        "missing": sorted(wanted - set(found)),
        "extra": sorted(set(found) - wanted),
        "placeholders": sorted(
            f"{key}: {sorted(placeholders(value))} ≠ English {sorted(placeholders(english_for(key, english)))}"
            for key, value in found.items()
            if key in wanted and placeholders(value) != placeholders(english_for(key, english))
            # A language with one plural form may leave out {count} ("{count} issue" / "issues": the number
            # always shows), but never invent a placeholder English does not have.
            and not (placeholders(value) < placeholders(english_for(key, english)) and _PLURAL_KEY.match(key)
                     and placeholders(english_for(key, english)) - placeholders(value) == {"count"})
        ),
        "empty": sorted(key for key, value in found.items() if not str(value).strip()),
    }
    if language.catalogue != "en" and "_reviewed" not in raw:
        found_problems["reviewed flag"] = ['no "_reviewed" (false until a fluent speaker has checked it)']
    return {kind: items for kind, items in found_problems.items() if items}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--missing", action="store_true", help="list only the keys each catalogue lacks")
    args = parser.parse_args()
    bad = False
    for language in LANGUAGES:
        found = problems(language)
        if args.missing:
            found = {kind: items for kind, items in found.items() if kind in ("missing", "missing file")}
        reviewed = load(language.catalogue).get("_reviewed", True) if (I18N / f"{language.catalogue}.json").exists() else None
        print(f"{language.code} ({language.english_name}, {'reviewed' if reviewed else 'not reviewed yet'}): "
              f"{'ok' if not found else ''}")
        for kind, items in found.items():
            bad = True
            print(f"  {kind} ({len(items)}):")
            for item in items:
                print(f"    {item}")
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
