"""Browser end-to-end tests: Debian's Chromium, driven by Playwright, against the built SPA
served by Django's ``live_server``, with Celery eager so uploads are scanned (real clamd)
and read (real OCR) inside the upload request.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "frontend" / "web"
DIST = WEB / "dist"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"  # the factories' password
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
# ../shared: the vocabulary the SPA shares with the mini-program.
SPA_SOURCES = (
    "src",
    "../shared",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
)


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in SPA_SOURCES:
        path = WEB / name
        files = path.rglob("*") if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                newest = max(newest, file.stat().st_mtime)
    return newest


def _spa_is_stale() -> bool:
    index = DIST / "index.html"
    return not index.is_file() or index.stat().st_mtime < _newest_source_mtime()


@pytest.fixture(scope="session")
def built_spa() -> Path:
    """The SPA's dist/, built once per session when missing or older than its sources."""
    if not _spa_is_stale():
        return DIST
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: cannot build frontend/web")
    if not (WEB / "node_modules" / ".package-lock.json").is_file():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True, timeout=600)
    subprocess.run([npm, "run", "build"], cwd=WEB, check=True, timeout=600)
    return DIST


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One Chromium for the e2e package, closed before any other test package runs.

    Playwright's sync API keeps an event loop running in this thread, so Django's
    async-safety check must be relaxed, and only while the browser is alive.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def e2e_settings(settings: Any, tmp_path: Path, built_spa: Path) -> None:
    # The live server's static handler serves /static/ through the finders: no collectstatic.
    settings.STATICFILES_DIRS = [str(built_spa)]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.QUARANTINE_ROOT = str(tmp_path / "quarantine")
    # Tasks run inline when the upload's transaction commits (scan, then OCR). Through
    # Django's settings, which Celery reads on each use: an assignment to celery_app.conf
    # would stay behind as an override that shadows CELERY_TASK_ALWAYS_EAGER for later tests.
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture(autouse=True)
def clamd_running() -> None:
    """The test settings point at the private clamd of scripts/start-clamd.sh."""
    socket = os.environ.get("CLAMD_SOCKET", "/tmp/ia-clamd/clamd.sock")
    if not Path(socket).exists():
        subprocess.run(["bash", str(ROOT / "scripts" / "start-clamd.sh")], check=True, timeout=120)


@pytest.fixture
def artifacts() -> Callable[..., Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shot(page: Any, name: str, *, full_page: bool = True) -> Path:
        # Dialogs are position: fixed; a full-page shot would show them over the top only.
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return shot


@pytest.fixture
def open_as(browser: Any, live_server: Any, transactional_db: None) -> Iterator[Callable[..., Any]]:
    """Sign a user in through the real login form; returns the page on the SPA.

    Every flow runs under the real Content-Security-Policy: anything it blocked (Chromium
    reports it on the console) fails the test when the fixture closes.
    """
    contexts: list[Any] = []
    blocked: list[str] = []

    def note_csp(message: Any) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    def sign_in(username: str, *, phone: bool = False, locale: str = "en-US") -> Any:
        options: dict[str, Any] = {"viewport": PHONE if phone else DESKTOP, "locale": locale}
        if phone:
            options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
        context = browser.new_context(**options)
        context.set_default_timeout(30_000)
        contexts.append(context)
        context.on("console", note_csp)
        page = context.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=user-name]")
        # The router listens for hash changes only once its first navigation ("/" -> the
        # home route, a lazily loaded view) has finished; a test that navigates earlier is
        # overridden by that redirect. The final URL is written when it finishes.
        page.wait_for_url(re.compile(r"#/[a-z]"))
        return page

    yield sign_in
    for context in contexts:
        context.close()
    assert blocked == [], blocked
