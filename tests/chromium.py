"""Debian's Chromium for every test that needs a real browser (never a downloaded one: `playwright install` cannot
reach the network here, and the point is to test the browser residents' phones run)."""

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_executable() -> str:
    found = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(found):
        pytest.fail("Debian's chromium is not installed (apt-get install chromium); never use `playwright install`")
    return found
