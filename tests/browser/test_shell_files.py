"""Static checks on the app shell (no browser): every UI string is in the catalogue, every shell file is
precached, and the manifest points at icons that exist."""

import json
import re
from pathlib import Path

PWA = Path(__file__).resolve().parents[2] / "pwa"


def shell_list(name: str = "SHELL") -> list[str]:
    source = (PWA / "sw.js").read_text()
    block = re.search(rf"const {name} = \[(.*?)\];", source, re.S).group(1)
    return re.findall(r"'([^']+)'", block)


def test_every_message_key_used_in_the_code_is_in_the_english_catalogue():
    catalogue = json.loads((PWA / "i18n" / "en.json").read_text())
    used = set()
    for path in (PWA / "js").rglob("*.js"):
        used |= set(re.findall(r"\bt\(\s*'([a-z_.]+)'", path.read_text()))
    missing = sorted(
        key for key in used if key not in catalogue and f"{key}_one" not in catalogue and f"{key}_other" not in catalogue
    )
    assert missing == []


def test_the_service_worker_keeps_every_language_s_catalogue_for_offline_switching():
    from sync.languages import LANGUAGES

    kept = {entry.removeprefix("./") for entry in shell_list() + shell_list("CATALOGUES")}
    assert {f"i18n/{language.catalogue}.json" for language in LANGUAGES} <= kept


def test_every_shell_file_is_precached_by_the_service_worker():
    listed = {entry.removeprefix("./") for entry in shell_list() + shell_list("CATALOGUES")}
    on_disk = {
        str(path.relative_to(PWA))
        for path in PWA.rglob("*")
        if path.is_file() and path.name != "sw.js" and not path.name.startswith(".")
    }
    assert on_disk - listed == set(), "files the offline app would miss"
    assert listed - on_disk - {""} == set(), "listed files that do not exist"


def test_manifest_icons_exist_and_include_a_maskable_png():
    manifest = json.loads((PWA / "manifest.json").read_text())
    for icon in manifest["icons"]:
        assert (PWA / icon["src"]).is_file(), icon
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}


def test_no_physical_left_right_css_so_right_to_left_layouts_mirror():
    css = (PWA / "styles.css").read_text()
    physical = re.findall(r"(?:margin|padding|border)-(?:left|right)|(?<![-\w])(?:left|right)\s*:|text-align:\s*(?:left|right)", css)
    assert physical == []
