"""The Chinese UI shows the server's own refusals in Chinese, and an integrator creates,
uses and revokes a named API token in the web app (issue 19, items 3 and 7)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import png_bytes
from tests.reimbursements.factories import UserFactory


@pytest.fixture
def people(transactional_db: None) -> dict[str, Any]:
    return {
        "li": UserFactory(username="li", first_name="Li", roles=("employee",)),
        "ivan": UserFactory(username="ivan", first_name="Ivan", roles=("employee", "finance")),
    }


def me_with(base: str, token: str) -> int:
    request = urllib.request.Request(
        f"{base}/api/v1/me/", headers={"Authorization": f"Token {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            json.loads(response.read())
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_the_chinese_ui_shows_the_servers_refusal_in_chinese(open_as, artifacts, people, settings):
    # Given an upload limit of 100 KB and an employee whose browser speaks Chinese
    settings.UPLOAD_MAX_BYTES = 100 * 1024
    page = open_as("li", phone=True, locale="zh-CN")
    page.goto(page.url.split("#")[0] + "#/upload")
    # When she picks a 300 KB photo
    page.set_input_files(
        "[data-testid=file-input]",
        files=[
            {
                "name": "发票.png",
                "mimeType": "image/png",
                "buffer": png_bytes() + b"\0" * (300 * 1024),
            }
        ],
    )
    # Then the server's refusal is shown in Chinese, naming the limit
    item = page.locator("[data-testid=upload-item]")
    expect(item.locator("[role=alert]")).to_have_text("文件超过 100 KB 上限。")
    artifacts(page, "i18n-01-upload-refused-zh-phone")


def test_switching_to_chinese_is_saved_for_the_servers_messages(open_as, people, live_server):
    # Given an employee in the English UI
    page = open_as("li")
    # When she switches to Chinese
    page.click("[data-testid=lang-toggle]")
    # Then her choice is saved on the server: an API client that asks for English
    # still gets Chinese
    expect(page.locator("[data-testid=nav-tokens]")).to_have_text("API 令牌")
    page.wait_for_function(
        "() => fetch('/api/v1/me/', {headers: {'Accept-Language': 'en'}})"
        ".then(r => r.json()).then(me => me.language === 'zh-hans')"
    )


def test_an_integrator_creates_uses_and_revokes_a_named_token(
    open_as, artifacts, people, live_server
):
    # Given an integrator's account signed in on a desktop
    page = open_as("ivan")
    page.click("[data-testid=nav-tokens]")
    # When they create a token for their accounting system
    page.fill("[data-testid=token-name]", "accounting export")
    page.click("[data-testid=token-create]")
    # Then the key is shown once, listed by name, and works against the API
    value = page.locator("[data-testid=token-value]")
    expect(value).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    token = value.inner_text()
    rows = page.locator("[data-testid=token-row]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("accounting export")
    artifacts(page, "tokens-01-created")
    assert me_with(live_server.url, token) == 200
    # When they revoke it, it stops working
    rows.first.locator("button").click()
    expect(page.locator("[data-testid=token-none]")).to_be_visible()
    assert me_with(live_server.url, token) == 401
