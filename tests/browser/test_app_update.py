"""Journey: a new version of the app is released while a phone has the old one open.

The new version installs in the background; the phone keeps running the old one, whole, until the user accepts
the offer; then it reloads once onto the new version and the old cache is gone. Served from a copy of pwa/ by a
plain static server, because only the shell (not the API) is involved.
"""

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PWA = Path(__file__).resolve().parents[2] / "pwa"


class QuietHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".json": "application/json"}

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()


@pytest.fixture
def shell_server(tmp_path):
    root = tmp_path / "pwa"
    shutil.copytree(PWA, root)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_new_version_is_offered_and_taken_whole_only_when_accepted(phone_at, shell_server):
    root, url = shell_server
    phone = phone_at(url)
    phone.open("/signin")
    phone.wait_controlled()
    page = phone.page
    old_caches = page.evaluate("caches.keys()")
    assert len(old_caches) == 1 and old_caches[0].startswith("estatewalk-shell-")

    # Release: a new worker version and a changed catalogue.
    sw = (root / "sw.js").read_text()
    (root / "sw.js").write_text(sw.replace("const VERSION = '", "const VERSION = 'next-", 1))
    catalogue = (root / "i18n" / "en.json").read_text()
    (root / "i18n" / "en.json").write_text(catalogue.replace('"signin.title": "Sign in"', '"signin.title": "Sign in to Estatewalk"'))

    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    page.get_by_text("A new version of Estatewalk is ready.").wait_for()
    # Until accepted, the open app keeps using the old version, even across a reload.
    phone.reload()
    page.get_by_role("heading", name="Sign in", exact=True).wait_for()
    page.get_by_text("A new version of Estatewalk is ready.").wait_for()

    with page.expect_navigation():
        page.get_by_role("button", name="Use the new version").click()
    phone.wait_ready()
    page.get_by_role("heading", name="Sign in to Estatewalk").wait_for()
    page.wait_for_function("() => caches.keys().then((keys) => keys.length === 1 && keys[0].includes('next-'))")
