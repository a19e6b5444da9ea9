"""Every page works under the Content-Security-Policy, and the API docs need no network."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from synth import generate_document
from tests.e2e.conftest import DESKTOP, PASSWORD
from tests.e2e.test_web_app import INVOICE, upload_via_api
from tests.reimbursements.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Reported by the page itself; the console line is Chromium's own report of the same.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


class Watched:
    """A browser context that records CSP violations and requests leaving the server."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport=DESKTOP, locale="en-US")
        self.context.set_default_timeout(30_000)
        self.context.add_init_script(WATCH_VIOLATIONS)
        self.console: list[str] = []
        self.offsite: list[str] = []
        self.context.route("**/*", self._only_this_server)
        self.page = self.context.new_page()
        self.page.on("console", self._console)

    def _only_this_server(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.base) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.offsite.append(url)
            route.abort()

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def violations(self) -> list[str]:
        reported = self.page.evaluate("window.__cspViolations || []")
        return [*reported, *self.console]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any, live_server: Any, transactional_db: None):
    opened: list[Watched] = []

    def open_context() -> Watched:
        context = Watched(browser, live_server.url)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=user-name]")
    page.wait_for_url(re.compile(r"#/[a-z]"))


def test_the_sign_in_page_and_the_web_app_run_without_csp_violations(watched, live_server):
    # Given an employee with an extracted invoice (the viewer shows it from a blob: URL)
    emma = UserFactory(username="emma", roles=("employee",))
    document = upload_via_api(emma, generate_document(*INVOICE).image_bytes, "invoice.png")
    browser = watched()
    page = browser.page
    # When she signs in through the form and opens her uploads, claims and the document
    sign_in(page, live_server.url, "emma")
    page.goto(f"{live_server.url}/#/claims")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/#/documents/{document.pk}")
    expect(page.get_by_test_id("document-image")).to_be_visible()
    page.wait_for_load_state("networkidle")
    # Then the policy is sent, and nothing on these pages was blocked by it
    response = page.request.get(f"{live_server.url}/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert browser.violations() == []
    assert browser.offsite == []


def test_the_admin_runs_without_csp_violations(watched, live_server):
    # Given an administrator
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    UserFactory(username="emma", roles=("employee",))
    browser = watched()
    page = browser.page
    # When they sign in to the admin and open a list and a change form
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    listing = page.goto(f"{live_server.url}/admin/auth/user/")
    expect(page.locator("#result_list")).to_be_visible()
    page.locator("#result_list a", has_text="emma").click()
    expect(page.locator("#user_form")).to_be_visible()
    page.wait_for_load_state("networkidle")
    # Then the policy was sent, and nothing was blocked by it
    assert "default-src 'self'" in listing.headers["content-security-policy"]
    assert browser.violations() == []
    assert browser.offsite == []


def test_the_api_docs_render_every_operation_offline_under_the_csp(watched, live_server):
    # Given a browser that may reach this server only (no CDN)
    browser = watched()
    page = browser.page
    # When the API docs are opened
    docs = page.goto(f"{live_server.url}/api/docs/")
    # Then Swagger UI (served from our static files) renders the operations
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 20
    expect(
        page.locator(".opblock-summary-path", has_text="/api/v1/documents/").first
    ).to_be_visible()
    page.wait_for_load_state("networkidle")
    # And it asked for nothing elsewhere, and nothing was blocked by the policy it got
    assert "script-src 'self'" in docs.headers["content-security-policy"]
    assert browser.offsite == []
    assert browser.violations() == []
