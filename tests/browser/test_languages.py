"""Journey: a resident chooses their language on the sign-in screen, the whole app follows (Sorani right to left),
the choice reaches their profile on the server, and it holds offline after a reload.

Strings are checked against the catalogues, not by eye: what the screen says must be the catalogue's words."""

import json
import re
import uuid
from pathlib import Path

import pytest

from tests.screens import SCREENS

pytestmark = pytest.mark.browser

I18N = Path(__file__).resolve().parents[2] / "pwa" / "i18n"


def catalogue(name: str) -> dict[str, str]:
    return json.loads((I18N / f"{name}.json").read_text(encoding="utf-8"))


def nav_texts(page) -> list[str]:
    return page.locator("#nav a").all_inner_texts()


def test_the_language_chosen_at_sign_in_runs_the_app_reaches_the_profile_and_holds_offline(open_phone, server_as):
    tr, ckb, zh, en = catalogue("tr"), catalogue("ckb"), catalogue("zh-Hans"), catalogue("en")
    rep = server_as("rep@demo.test")
    issue_id = rep.create_issue(rep.estate_id(0), "Çöp odasının kapısı kırık", written_in="tr")

    phone = open_phone("rep")
    phone.open("/signin")
    page = phone.page
    assert page.evaluate("document.documentElement.lang") == "en-GB"
    page.locator("#language").select_option("tr")
    page.get_by_role("heading", name=tr["signin.title"]).wait_for()
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["tr", "ltr"]
    # The picker says, in Turkish, that no speaker has checked the translation yet.
    assert page.locator("#language-unreviewed").inner_text() == tr["language.unreviewed"]

    page.get_by_label(tr["signin.email"]).fill("rep@demo.test")
    page.get_by_label(tr["signin.password"]).fill("demo")
    page.get_by_role("button", name=tr["signin.submit"]).click()
    page.wait_for_function("() => location.hash.startsWith('#/issues')")
    phone.wait_synced()
    page.get_by_role("heading", name=tr["issues.title"]).wait_for()
    assert set(nav_texts(page)) <= {value for key, value in tr.items() if key.startswith("nav.")}
    # What a person wrote is shown as written and marked with its own language.
    assert page.locator(f"[data-issue-id='{issue_id}'] .issue-title").get_attribute("lang") == "tr"

    # The choice made before signing in is now the person's, on the server (e-mails and PDFs follow it).
    phone.sync_round()
    assert rep.client.get("/api/auth/me").json()["user"]["language"] == "tr"

    # In Settings they switch to Sorani: the whole document turns right to left.
    phone.open("/settings")
    page.locator("#language").select_option("ckb")
    page.get_by_role("heading", name=ckb["settings.title"]).wait_for()
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ckb", "rtl"]
    phone.open("/issues")
    page.get_by_role("heading", name=ckb["issues.title"]).wait_for()
    texts = nav_texts(page)
    assert texts and all(text in ckb.values() for text in texts)
    assert not any(text in (en[key] for key in en if key.startswith("nav.")) for text in texts)
    # Mirrored: the first item of the menu sits at the right, the next one to its left.
    # The links shown (one kept for some roles may be hidden until the person's roles are known).
    boxes = [box for box in (link.bounding_box() for link in page.locator("#nav a").all()) if box][:2]
    assert len(boxes) == 2
    if boxes[0]["y"] == boxes[1]["y"]:
        assert boxes[0]["x"] > boxes[1]["x"]
    # The Turkish title keeps its own language and reads left to right inside the Sorani page.
    title = page.locator(f"[data-issue-id='{issue_id}'] .issue-title")
    assert title.get_attribute("lang") == "tr"
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "issues-sorani.png"))

    # No signal: the app opens again in Sorani, and switching to Chinese works from the cache.
    phone.wait_controlled()
    phone.sync_round()
    phone.set_offline(True)
    phone.reload()
    page.get_by_role("heading", name=ckb["issues.title"]).wait_for()
    assert page.evaluate("document.documentElement.dir") == "rtl"
    phone.open("/settings")
    page.locator("#language").select_option("zh-Hans")
    page.get_by_role("heading", name=zh["settings.title"]).wait_for()
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["zh-Hans", "ltr"]
    # Until it can be sent, the screen says the choice is waiting for the profile.
    page.locator("#language-waiting").wait_for()
    assert page.locator("#language-waiting").inner_text() == zh["language.waiting"]
    phone.reload()
    page.get_by_role("heading", name=zh["settings.title"]).wait_for()

    phone.set_offline(False)
    phone.sync_round()
    assert rep.client.get("/api/auth/me").json()["user"]["language"] == "zh-Hans"


def test_another_phone_of_the_same_person_follows_the_profile_s_language(open_phone, server_as):
    vi = catalogue("vi")
    rep = server_as("rep@demo.test")
    rep.apply("person.language", {"language": "vi"})

    phone = open_phone("rep")
    phone.open("/signin")
    page = phone.page
    page.get_by_label("E-mail").fill("rep@demo.test")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    # Nothing was picked on this phone: the app starts again in the language of the person's profile.
    page.get_by_role("heading", name=vi["issues.title"]).wait_for()
    assert page.evaluate("document.documentElement.lang") == "vi"
    assert "#/issues" in page.url
    phone.wait_synced()
    assert page.locator("#nav a").first.inner_text() == vi["nav.issues"]


def test_a_refusal_is_worded_in_the_phone_s_language_from_the_server_s_code(open_phone, server_as):
    tr = catalogue("tr")
    staff = server_as("staff@demo.test")
    issue_id = staff.create_issue(server_as("rep@demo.test").estate_id(0), "Rats near the bin store")
    staff.apply("person.language", {"language": "en-GB"})
    rep = server_as("rep@demo.test")
    rep.apply("person.language", {"language": "tr"})

    phone = open_phone("rep")
    phone.open("/signin")
    page = phone.page
    page.get_by_label("E-mail").fill("rep@demo.test")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=tr["issues.title"]).wait_for()
    phone.wait_synced()
    phone.set_offline(True)
    # While the rep is offline, staff withdraw the issue; the rep's update to it will be refused.
    staff.apply("issue.withdraw", {"id": issue_id, "reason": "duplicate"})
    phone.open_issue(issue_id)
    page.locator("#comment-body").fill("Hâlâ her akşam görüyorum")
    page.get_by_role("button", name=tr["issue.comment_send"]).click()
    phone.set_offline(False)
    phone.wait_synced()
    [rejection] = [r for r in phone.stored("rejections") if not r.get("dismissed")]
    assert rejection["code"] == "issue_withdrawn" and rejection["reason"] == "this issue was withdrawn"
    phone.open("/sync")
    page.get_by_role("heading", name=tr["sync.title"]).wait_for()
    listed = page.locator("#rejections").inner_text()
    assert tr["refusal.issue_withdrawn"] in listed and "this issue was withdrawn" not in listed


def test_axe_finds_nothing_serious_in_any_language(open_phone, axe_source):
    from sync.languages import LANGUAGES
    from tests.browser.test_accessibility import serious_violations

    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    problems = {}
    for language in LANGUAGES:
        phone.open("/settings")
        if phone.page.evaluate("document.documentElement.lang") != language.code:
            phone.page.locator("#language").select_option(language.code)
            phone.page.wait_for_function(f"() => document.documentElement.lang === '{language.code}'")
            phone.wait_ready()
        problems[f"{language.code} settings"] = serious_violations(phone, axe_source)
        phone.open("/issues")
        problems[f"{language.code} issues"] = serious_violations(phone, axe_source)
    assert {screen: found for screen, found in problems.items() if found} == {}


def test_the_longest_language_fits_a_small_phone_at_200_percent_text(open_phone):
    """Somali has the longest strings of the catalogues: at 360 px and 200 % text nothing scrolls sideways."""
    from tests.browser.test_accessibility import WIDER_THAN_SCREEN

    lengths = {name: sum(len(v) for k, v in catalogue(name).items() if not k.startswith("_"))
               for name in ("en", "tr", "kmr", "ckb", "vi", "so", "zh-Hans")}
    longest = max(lengths, key=lengths.get)
    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    phone.open("/settings")
    phone.page.locator("#language").select_option(longest)
    phone.page.wait_for_function(f"() => document.documentElement.lang === '{longest}'")
    for route in ("/issues", "/report", "/inspect", "/sync", "/settings"):
        phone.open(route)
        phone.page.evaluate("document.documentElement.style.fontSize = '200%'")
        overflow = phone.page.evaluate(WIDER_THAN_SCREEN)
        assert not overflow, f"{route} scrolls sideways at 200% text in {longest}: {overflow}"


# --- every language, offline: no English left on the screens a resident uses ------------------------------------

# The words on screen and in the attributes people hear (labels, placeholders), except what people wrote, which is
# marked with the language it was written in (`lang`) when that differs from the page's.
VISIBLE_TEXT = """() => {
  const page = document.documentElement.lang;
  const own = (node) => { const marked = node.closest('[lang]'); return !marked || marked.lang === page; };
  const shown = (el) => el.checkVisibility({ visibilityProperty: true, opacityProperty: false });
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (el && node.textContent.trim() && own(el) && shown(el)) texts.push(node.textContent.trim());
  }
  for (const el of document.body.querySelectorAll('[aria-label], [placeholder], [title], [alt], input[type=submit]')) {
    if (!own(el) || !(shown(el) || el.matches('input, select, textarea'))) continue;
    for (const name of ['aria-label', 'placeholder', 'title', 'alt', 'value']) {
      if (el.getAttribute(name) && (name !== 'value' || el.type === 'submit')) texts.push(el.getAttribute(name).trim());
    }
  }
  return texts;
}"""

_PLACEHOLDER = r"\{\w+\}"
ENGLISH_DATES = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b|\b(?:minutes?|hours?|days?) ago\b"
                           r"|\b(?:yesterday|today)\b|\d [AP]M\b")


def english_left(texts: list[str], language: str, data: set[str]) -> list[tuple[str, str]]:
    """The English catalogue's words found in `texts` that this language's catalogue does not use: pairs of
    (English words, the text they were found in). `data` holds what the server's people named (estates,
    locations, people), removed first: it is shown as named, in any language."""
    english, own = catalogue("en"), catalogue(language)
    theirs = [value for key, value in own.items() if not key.startswith("_")]
    words = set()
    for key, value in english.items():
        if key.startswith("_"):
            continue
        for part in re.split(_PLACEHOLDER, value):
            part = part.strip(" \u00a0:;,.()[]\u2013\u2014-–·…?!\"'“”‘’/#+")
            # A fragment counts if it has a word of four letters or more and this language never uses it.
            if re.search(r"[A-Za-z]{4,}", part) and not any(part in text for text in theirs):
                words.add(part)
    found = []
    for text in texts:
        for named in sorted(data, key=len, reverse=True):
            text = text.replace(named, " ")
        if language != "en" and (intl := ENGLISH_DATES.search(text)):
            # Dates and times from Intl: where the browser has no data for a language they must not fall back
            # to English words ("Nov", "5 minutes ago", "PM").
            found.append((intl.group(0), text))
        for part in words:
            if re.search(rf"(?<![\w]){re.escape(part)}(?![\w])", text):
                found.append((part, text))
    return sorted(set(found))


WRITTEN_FIELDS = {"name", "label", "title", "description", "body", "note", "reason", "display_name", "estate"}


def _written(value, field: str = ""):
    """Every text people wrote or named in pulled entities."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _written(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from _written(item, field)
    elif isinstance(value, str) and field in WRITTEN_FIELDS and value.strip():
        yield value.strip()


def test_every_language_offline_captures_a_defect_and_reads_the_list_and_timeline_with_no_english_left(
        open_phone, server_as):
    from sync.languages import LANGUAGES

    staff, rep = server_as("staff@demo.test"), server_as("rep@demo.test")
    estate = rep.estate_id(0)
    known = rep.create_issue(estate, "Kapı kilidi kırık", written_in="tr")
    staff.apply("issue.comment", {"id": str(uuid.uuid4()), "issue_id": known, "body": "Locksmith booked",
                                  "written_in": "en-GB"})
    # What people named and wrote is shown as written, in any language: estates, locations, people, the demo's
    # titles and comments.
    data = set(_written(staff.pull_all()))

    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    phone.wait_controlled()
    phone.set_offline(True)
    page = phone.page
    left: dict[str, list] = {}
    for number, language in enumerate(LANGUAGES):
        words = catalogue(language.catalogue)
        phone.open("/settings")
        if page.evaluate("document.documentElement.lang") != language.code:
            page.locator("#language").select_option(language.code)
            page.wait_for_function(f"() => document.documentElement.lang === '{language.code}'")
            phone.wait_ready()
        page.get_by_role("heading", name=words["settings.title"]).wait_for()

        # Capture a defect, offline, in this language.
        phone.open("/report")
        page.get_by_role("heading", name=words["report.title"]).first.wait_for()
        left[f"{language.code} report"] = english_left(page.evaluate(VISIBLE_TEXT), language.catalogue, data)
        page.locator("#report-category").select_option("lighting")
        page.locator("#report-title").fill(f"№ {number + 1} 💡")
        page.locator("#report-save").click()
        page.wait_for_function("() => location.hash.startsWith('#/issue/')")
        new_issue = page.url.split("#/issue/")[1]
        page.locator(f"article.issue[data-issue-id='{new_issue}'] .timeline li").first.wait_for()
        left[f"{language.code} new issue"] = english_left(page.evaluate(VISIBLE_TEXT), language.catalogue, data)
        assert page.locator("h2, h3").filter(has_text=f"№ {number + 1}").first.get_attribute("lang") in (
            language.code, None)

        # The issue list, and the timeline of an issue someone else wrote about in other languages.
        phone.open("/issues")
        page.get_by_role("heading", name=words["issues.title"]).wait_for()
        left[f"{language.code} issues"] = english_left(page.evaluate(VISIBLE_TEXT), language.catalogue, data)
        phone.open_issue(known)
        page.get_by_role("heading", name=words["issue.timeline"]).wait_for()
        left[f"{language.code} timeline"] = english_left(page.evaluate(VISIBLE_TEXT), language.catalogue, data)
        # The comment staff wrote in English is shown as written, marked as English.
        comment = page.locator(".timeline [lang='en-GB']", has_text="Locksmith booked")
        assert comment.count() == 1

        if language.code == "en-GB":
            # UK style: "4 Nov 2026, 12:52", never "Nov 4, 2026, 12:52 PM".
            when = page.locator(".timeline .when").first.inner_text()
            assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d", when), when
        if language.dir == "rtl":
            # Mirrored: the menu is read from the right (its order in the page is its order on screen, right to
            # left), and the timeline's line is on the right of each entry.
            boxes = [box for box in (link.bounding_box() for link in page.locator("#nav a").all()) if box]
            first_row = [box for box in boxes if abs(box["y"] - boxes[0]["y"]) < 2]
            assert len(first_row) >= 2
            assert [box["x"] for box in first_row] == sorted((box["x"] for box in first_row), reverse=True)
            entry = page.locator(".timeline li").first
            borders = entry.evaluate("el => { const s = getComputedStyle(el); "
                                     "return [s.borderRightWidth, s.borderLeftWidth]; }")
            assert borders == ["4px", "0px"], borders
            entry_box, list_box = entry.bounding_box(), page.locator(".timeline").bounding_box()
            assert abs((entry_box["x"] + entry_box["width"]) - (list_box["x"] + list_box["width"])) < 2
            SCREENS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENS / "timeline-sorani.png"), full_page=True)
            # Dates in figures (no Intl data for Sorani here), kept in their own order inside the Sorani line.
            when = page.locator(".timeline .when").first.inner_text()
            assert re.search(r"\u2066\d\d/\d\d/\d{4}, \d\d:\d\d\u2069", when), when
    assert {screen: found for screen, found in left.items() if found} == {}
