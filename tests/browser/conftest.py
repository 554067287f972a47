"""Browser fixtures: Debian's Chromium driven by Playwright, acting as phones against the real server.

Each phone is a persistent browser context (a profile directory), so a test can close the "app" and open it
again with the same IndexedDB, service worker and cache, as a phone does.
"""

from __future__ import annotations

import base64
import os
import uuid
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from bench.replica import apply_changes
from tests.chromium import CHROMIUM_ARGS, chromium_executable

sync_api = pytest.importorskip("playwright.sync_api")

PHONE_VIEWPORT = {"width": 360, "height": 780}
AXE_PATH = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
DEFAULT_TIMEOUT_MS = 20_000
DEAD_PROXY = "http://127.0.0.1:9"  # the discard port: nothing listens, every connection is refused

# Reads the app's IndexedDB directly, so tests check what the phone really stored, not what the screen says.
IDB_READ = """async ([store]) => {
  const db = await new Promise((ok, fail) => { const r = indexedDB.open('estatewalk'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  const rows = await new Promise((ok, fail) => { const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  db.close();
  return rows.map((row) => { const copy = { ...row }; if (copy.blob) { copy.blob_size = copy.blob.size; delete copy.blob; } return copy; });
}"""

BLOB_BASE64 = """async ([sha]) => {
  const db = await new Promise((ok, fail) => { const r = indexedDB.open('estatewalk'); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  const row = await new Promise((ok, fail) => { const r = db.transaction('blobs').objectStore('blobs').get(sha); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  db.close();
  const bytes = new Uint8Array(await row.blob.arrayBuffer());
  let text = ''; for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}"""


class Phone:
    """One phone: a persistent Chromium profile with the app open in one page."""

    def __init__(self, driver: Any, profile: Path, base_url: str) -> None:
        self.driver = driver
        self.profile = profile
        self.base_url = base_url
        self.context: Any = None
        self.page: Any = None
        self.csp_violations: list[str] = []
        self.script_errors: list[str] = []

    # --- the browser -------------------------------------------------------------------------------------
    def launch(self, *, offline: bool = False) -> "Phone":
        """Start the browser. `offline=True` starts it with no network at all: besides DevTools' offline
        emulation, every request goes to a dead proxy. Emulation alone is not enough at start-up, because the
        browser itself believes it is online and may wake the service worker for Background Sync before the
        emulation reaches it."""
        self.context = self.driver.chromium.launch_persistent_context(
            str(self.profile),
            executable_path=chromium_executable(),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=PHONE_VIEWPORT,
            base_url=self.base_url,
            service_workers="allow",
            offline=offline,
            proxy={"server": DEAD_PROXY} if offline else None,
        )
        self.context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        self.context.on("console", self._watch_console)
        self.started_without_network = offline
        self.offline = False
        if offline:
            self.set_offline(True)
        self.page = self.context.pages[0] if self.context.pages else self.context.new_page()
        return self

    def _watch_console(self, message: Any) -> None:
        # The server's Content-Security-Policy is strict; anything the app does that it refuses shows up here.
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
            self.context = None
            self.page = None

    def set_offline(self, offline: bool) -> None:
        """No network at all. Besides DevTools' offline emulation, API requests are refused by routing: the
        emulation can miss a service worker that the browser wakes for Background Sync (it believes the
        machine is online), and a test that leaks one request proves nothing."""
        if not offline and self.started_without_network:
            # A phone started in a stairwell: when signal returns, the app is opened again with network.
            route = self.page.url.split("#", 1)[1] if "#" in self.page.url else "/issues"
            self.close()
            self.launch()
            self.open(route)
            return
        self.context.set_offline(offline)
        if offline and not self.offline:
            self.context.route("**/api/**", self._refuse)
        elif not offline and self.offline:
            self.context.unroute("**/api/**", self._refuse)
        self.offline = offline

    @staticmethod
    def _refuse(route: Any) -> None:
        route.abort("internetdisconnected")

    def open(self, route: str = "/issues") -> None:
        self.page.goto(f"/#{route}")
        self.wait_ready()

    def reload(self) -> None:
        self.page.reload()
        self.wait_ready()

    def wait_ready(self) -> None:
        self.page.wait_for_function("() => document.documentElement.dataset.ready === 'true'")

    def wait_controlled(self) -> None:
        """Wait until the service worker has the shell cached and controls this page (so offline works)."""
        self.page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        if not self.page.evaluate("Boolean(navigator.serviceWorker.controller)"):
            self.reload()
        self.page.wait_for_function("() => Boolean(navigator.serviceWorker.controller)")

    # --- the app -----------------------------------------------------------------------------------------
    def sign_in(self, email: str, password: str = "demo") -> None:
        self.open("/signin")
        self.page.get_by_label("E-mail").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_function("() => location.hash.startsWith('#/issues')")
        self.wait_synced()

    def sync_now(self) -> None:
        self.page.locator("#sync-now").click()

    def stored(self, store: str) -> list[dict[str, Any]]:
        return self.page.evaluate(IDB_READ, [store])

    def stored_photo_bytes(self, sha256: str) -> bytes:
        return base64.b64decode(self.page.evaluate(BLOB_BASE64, [sha256]))

    def queue(self) -> dict[str, int]:
        return {
            "changes": len(self.stored("outbox")),
            "photos": sum(1 for blob in self.stored("blobs") if not blob["uploaded"]),
        }

    def wait_synced(self, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        """Press "Sync now" until the outbox and photo queue are empty and a sync has succeeded."""
        deadline = self.page.evaluate("Date.now()") + timeout_ms
        while True:
            state = self.page.evaluate(
                """async () => {
                  const db = await new Promise((ok) => { const r = indexedDB.open('estatewalk'); r.onsuccess = () => ok(r.result); });
                  const get = (s, k) => new Promise((ok) => { const r = k === undefined ? db.transaction(s).objectStore(s).getAll() : db.transaction(s).objectStore(s).get(k); r.onsuccess = () => ok(r.result); });
                  const outbox = await get('outbox'); const blobs = await get('blobs'); const last = await get('meta', 'last_sync_ok');
                  db.close();
                  return { changes: outbox.length, photos: blobs.filter((b) => !b.uploaded).length, last: last ? last.value : null, now: Date.now() };
                }"""
            )
            if state["changes"] == 0 and state["photos"] == 0 and state["last"]:
                return
            if state["now"] > deadline:
                status = self.page.locator("#status").inner_text()
                raise AssertionError(f"phone did not finish syncing: {state}; status bar: {status!r}")
            if self.page.locator("#sync-now[aria-busy='false']").count():
                self.sync_now()
            self.page.wait_for_timeout(300)

    def synced_since(self, since_ms: int, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        """Wait until a sync round has succeeded after `since_ms`. Polled from here: `wait_for_function` takes
        the Promise an async predicate returns as a truthy answer and would not wait at all."""
        deadline = since_ms + timeout_ms
        while True:
            state = self.page.evaluate(
                """async () => {
                  const db = await new Promise((ok) => { const r = indexedDB.open('estatewalk'); r.onsuccess = () => ok(r.result); });
                  const row = await new Promise((ok) => { const r = db.transaction('meta').objectStore('meta').get('last_sync_ok'); r.onsuccess = () => ok(r.result); });
                  db.close();
                  return { last: row ? row.value : 0, now: Date.now() };
                }"""
            )
            if state["last"] > since_ms:
                return
            if state["now"] > deadline:
                raise AssertionError(f"no successful sync round since {since_ms}")
            self.page.wait_for_timeout(100)

    def sync_round(self) -> None:
        """Run one full sync round after now and wait for it to finish."""
        since = self.page.evaluate("Date.now()")
        self.page.wait_for_selector("#sync-now[aria-busy='false']")
        self.sync_now()
        self.synced_since(since)

    def open_issue(self, issue_id: str) -> None:
        """Open an issue and wait until its screen is drawn (a hash change alone does not reload the page)."""
        self.open(f"/issue/{issue_id}")
        self.page.locator(f"article.issue[data-issue-id='{issue_id}']").wait_for()

    def move_status(self, label: str, note: str | None = None) -> None:
        """Choose a status in the issue's "Change status" form, with a note if given, and save."""
        form = self.page.locator("#status-form")
        form.get_by_label(label, exact=True).check()
        if note is not None:
            form.locator("#status-note").fill(note)
        form.get_by_role("button", name="Save status").click()

    def edit_title(self, issue_id: str, title: str) -> None:
        self.open_issue(issue_id)
        self.page.locator("details.edit > summary").click()
        self.page.locator("#edit-title").fill(title)
        self.page.get_by_role("button", name="Save changes").click()
        self.page.get_by_role("heading", name=title).wait_for()

    def report_defect(self, *, title: str, category: str = "lighting", photos: list[Path] = (), location: str | None = None, estate: str | None = None) -> None:
        self.open(f"/report?estate={estate}" if estate else "/report")
        page = self.page
        if location:
            choose_location(page, location)
        page.get_by_label("Category").select_option(category)
        page.get_by_label("What is wrong? (short title)").fill(title)
        page.get_by_label("More detail (optional)").fill(f"{title}, seen on the walk")
        if photos:
            page.locator("input[type=file][capture]").set_input_files([str(p) for p in photos])
            page.wait_for_function(f"() => document.querySelectorAll('.photo-preview').length === {len(photos)}", timeout=30_000)
        page.get_by_role("button", name="Save defect").click()
        page.wait_for_function("() => location.hash.startsWith('#/issue/')")


def choose_location(page: Any, label: str) -> None:
    """Choose a location in the report form's picker (radio buttons in a fold, so long names wrap)."""
    picker = page.locator("details.location-picker").first
    if picker.get_attribute("open") is None:
        picker.locator("summary").click()
    picker.get_by_role("radio", name=label, exact=True).check()


def phones_offline(open_phone: Any, *emails: str) -> list["Phone"]:
    """Phones signed in while online, then without signal (the shell cached, so they keep working)."""
    phones = []
    for email in emails:
        phone = open_phone(email.split("@")[0])
        phone.sign_in(email)
        phones.append(phone)
    for phone in phones:
        phone.wait_controlled()
        phone.set_offline(True)
    return phones


@pytest.fixture
def phone_at(tmp_path: Path, playwright_driver: Any) -> Iterator[Any]:
    """`phone_at(base_url, "name")` launches a phone against any server (e.g. a static copy of the shell)."""
    phones: list[Phone] = []

    def launch(base_url: str, name: str = "phone") -> Phone:
        phone = Phone(playwright_driver, tmp_path / f"profile-{name}", base_url)
        phones.append(phone)
        return phone.launch()

    yield launch
    for phone in phones:
        phone.close()


@pytest.fixture
def open_phone(tmp_path: Path, playwright_driver: Any, live_server: Any) -> Iterator[Any]:
    """`open_phone("name")` launches a phone (a fresh profile per name) against the live server."""
    phones: list[Phone] = []

    def launch(name: str = "phone", *, offline: bool = False) -> Phone:
        phone = Phone(playwright_driver, tmp_path / f"profile-{name}", live_server.url)
        phones.append(phone)
        return phone.launch(offline=offline)

    yield launch
    for phone in phones:
        phone.close()
    violations = [text for phone in phones for text in phone.csp_violations]
    assert violations == [], "the app broke the server's Content-Security-Policy"


class ServerView:
    """What the server holds, seen through the public API as a named user (never through the phone)."""

    def __init__(self, base_url: str, email: str, password: str = "demo") -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30)
        answer = self.client.post("/api/auth/login", json={"email": email, "password": password})
        answer.raise_for_status()
        self.profile = answer.json()
        self.client.headers["Authorization"] = f"Bearer {self.profile['token']}"
        self.client_id = str(uuid.uuid4())
        self.next_mutation = 1

    def pull_all(self) -> dict[str, dict[str, dict[str, Any]]]:
        entities: dict[str, dict[str, dict[str, Any]]] = {}
        cursor = None
        while True:
            answer = self.client.post("/api/sync/pull", json={"client_id": self.client_id, "cursor": cursor, "limit": 500})
            answer.raise_for_status()
            body = answer.json()
            apply_changes(entities, body["changes"])
            cursor = body["cursor"]
            if not body["has_more"]:
                return entities

    def push(self, name: str, args: dict[str, Any], at_ms: int | None = None) -> dict[str, Any]:
        import time

        at = f"{(at_ms or int(time.time() * 1000)):015d}:00000:{self.client_id}"
        answer = self.client.post(
            "/api/sync/push",
            json={"client_id": self.client_id, "mutations": [{"id": self.next_mutation, "name": name, "args": args, "at": at}]},
        )
        answer.raise_for_status()
        self.next_mutation += 1
        return answer.json()["results"][0]

    def photo_bytes(self, sha256: str, variant: str = "original") -> bytes:
        answer = self.client.get(f"/api/photos/{sha256}", params={"variant": variant})
        answer.raise_for_status()
        return answer.content

    def estate_id(self, name_or_index: int | str = 0) -> str:
        if isinstance(name_or_index, str):
            return next(m["estate_id"] for m in self.profile["memberships"] if m["estate_name"] == name_or_index)
        return self.profile["memberships"][name_or_index]["estate_id"]

    @property
    def user_id(self) -> str:
        return self.profile["user"]["id"]

    def create_issue(self, estate_id: str, title: str, **fields: Any) -> str:
        """Raise an issue as this person (as another phone would) and return its id."""
        issue_id = str(uuid.uuid4())
        args = {"id": issue_id, "estate_id": estate_id, "location_id": None, "category": "lighting", "title": title,
                "description": "", "priority": "normal", "captured_at": "2026-11-20T10:00:00Z", "inspection_id": None}
        result = self.push("issue.create", {**args, **fields})
        assert result["status"] == "applied", result
        return issue_id

    def apply(self, name: str, args: dict[str, Any], at_ms: int | None = None) -> None:
        """Push one mutation that must be applied (a step of a test's set-up, not what it tests)."""
        result = self.push(name, args, at_ms)
        assert result["status"] == "applied", (name, result)


@pytest.fixture
def server_as(live_server: Any) -> Iterator[Any]:
    """`server_as("staff@demo.test")`: an API client signed in as that demo user."""
    views: list[ServerView] = []

    def make(email: str) -> ServerView:
        view = ServerView(live_server.url, email)
        views.append(view)
        return view

    yield make
    for view in views:
        view.client.close()


@pytest.fixture
def jpeg_files(tmp_path: Path) -> Any:
    """`jpeg_files(n, size=(w, h), noisy=False)`: n distinct JPEGs as a phone camera would produce them."""
    from PIL import Image, ImageDraw

    def make(count: int, size: tuple[int, int] = (3000, 2000), noisy: bool = False) -> list[Path]:
        paths = []
        for i in range(count):
            if noisy:
                # Noise barely compresses: a big file, so an upload takes several chunks.
                image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
            else:
                image = Image.new("RGB", size, (40 + 60 * i, 120, 200 - 50 * i))
                draw = ImageDraw.Draw(image)
                for k in range(0, size[0], 97):
                    draw.line([(k, 0), (size[0] - k, size[1])], fill=(255, 255 - 20 * i, k % 255), width=9)
            path = tmp_path / f"photo-{uuid.uuid4().hex[:8]}.jpg"
            image.save(path, "JPEG", quality=90)
            paths.append(path)
        return paths

    return make


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_PATH.exists():
        pytest.fail(f"axe-core is missing at {AXE_PATH}: run `npm ci --prefix tests/browser` first")
    return AXE_PATH.read_text()
