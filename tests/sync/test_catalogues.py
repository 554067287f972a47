"""Every catalogue speaks for all of English: these fail when a translation lacks a key English has, has one it
lacks, uses a placeholder English does not, or lacks a plural form its language needs (tests/browser/catalogues.py
does the checking, and lists what is missing from the command line)."""

import json

import pytest

from sync.languages import LANGUAGES, BY_CODE
from tests.browser import catalogues


@pytest.mark.parametrize("language", LANGUAGES, ids=[language.code for language in LANGUAGES])
def test_the_catalogue_has_every_message_of_english_with_the_same_placeholders(language):
    assert catalogues.problems(language) == {}


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang.catalogue != "en"],
                         ids=[lang.code for lang in LANGUAGES if lang.catalogue != "en"])
def test_a_translation_says_whether_a_speaker_has_checked_it(language):
    assert isinstance(catalogues.load(language.catalogue).get("_reviewed"), bool)


def test_the_checks_catch_a_missing_key_an_extra_key_a_wrong_placeholder_and_a_missing_plural(tmp_path,
                                                                                                monkeypatch):
    english = catalogues.load("en")
    broken = dict(catalogues.load("tr"))
    broken.pop("issue.back")
    broken["issue.bakc"] = "Sorunlara dön"
    broken["signin.failed"] = "Giriş yapılamadı: {sebep}"
    broken.pop("issues.count_one")
    (tmp_path / "en.json").write_text(json.dumps(english), encoding="utf-8")
    (tmp_path / "tr.json").write_text(json.dumps(broken), encoding="utf-8")
    monkeypatch.setattr(catalogues, "I18N", tmp_path)
    found = catalogues.problems(BY_CODE["tr"])
    assert found["missing"] == ["issue.back", "issues.count_one"]
    assert found["extra"] == ["issue.bakc"]
    assert [line.split(":")[0] for line in found["placeholders"]] == ["signin.failed"]


def test_a_language_with_one_plural_form_needs_only_that_form():
    english = catalogues.messages(catalogues.load("en"))
    wanted = catalogues.expected_keys(english, BY_CODE["vi"])
    assert "issues.count_other" in wanted and "issues.count_one" not in wanted
    assert {"issues.count_one", "issues.count_other"} <= catalogues.expected_keys(english, BY_CODE["tr"])


def test_every_refusal_code_the_server_sends_has_words_in_the_catalogue():
    import re
    from pathlib import Path

    sources = "".join((Path(__file__).resolve().parents[2] / "sync" / name).read_text()
                      for name in ("rules.py", "workflow.py"))
    codes = set(re.findall(r'code="(\w+)"', sources))
    codes |= set(re.findall(r'TransitionRefused\([^)]*?,\s*"(\w+)"', sources, re.S))
    codes |= {"only_assigned", "only_raised", "not_allowed"}  # from _refusal_code's table
    assert len(codes) > 30
    english = catalogues.load("en")
    assert sorted(code for code in codes if f"refusal.{code}" not in english) == []
