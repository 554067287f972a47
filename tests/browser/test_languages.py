"""Journey: a resident chooses their language on the sign-in screen, the whole app follows (Sorani right to left),
the choice reaches their profile on the server, and it holds offline after a reload.

Strings are checked against the catalogues, not by eye: what the screen says must be the catalogue's words."""

import json
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
    boxes = [page.locator("#nav a").nth(i).bounding_box() for i in range(2)]
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
