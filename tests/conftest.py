"""Shared fixtures: a real Chromium driven by Playwright for browser tests."""

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GONGZHI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _two_factor_off(settings):
    """Staff sign in with a second step in production (accounts.otp); the suite's logins
    (force_login, the login form) are about everything else. tests/trust and the two-factor
    browser test turn it on again (``settings.GONGZHI_TWO_FACTOR = True``)."""
    settings.GONGZHI_TWO_FACTOR = False


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        message = (
            f"Chromium not found at {CHROMIUM}: install Debian's chromium to run browser tests"
        )
        if os.environ.get("GONGZHI_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # beside one unless told that the test harness knows what it is doing.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="gongzhi-chromium-")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def world(db):
    from tests.world import build

    return build()


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory):
    """One SQLite database migrated by the real command line, once a run: the tests that
    start `gongzhi` processes of their own copy it rather than migrate (a minute each)."""
    var = tmp_path_factory.mktemp("migrated")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GONGZHI_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["GONGZHI_VAR_DIR"] = str(var)
    gongzhi = Path(sys.executable).with_name("gongzhi")
    subprocess.run([gongzhi, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    return var / "gongzhi.sqlite3"


@pytest.fixture
def migrated_var(_migrated_sqlite, tmp_path):
    """``tmp_path`` as a var folder holding a migrated SQLite database of its own."""
    source, copy = sqlite3.connect(_migrated_sqlite), sqlite3.connect(tmp_path / "gongzhi.sqlite3")
    try:
        source.backup(copy)  # consistent, whatever the journal mode
    finally:
        source.close()
        copy.close()
    return tmp_path


# A real webhook receiver on 127.0.0.1, for any suite whose steps publish events.
from tests.notify.webhooks import webhook_receiver  # noqa: E402, F401
