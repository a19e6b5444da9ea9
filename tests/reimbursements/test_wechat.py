"""WeChat sign-in against a local server that speaks code2session's protocol."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from rest_framework.test import APIClient

from reimbursements.models import WeChatIdentity
from reimbursements.wechat import binding_code_issue

pytestmark = pytest.mark.django_db

APP_ID, SECRET = "wx-test-app", "s3cret"
# js_code -> what the fake WeChat answers
ANSWERS = {
    "good-code": {"openid": "o-alice", "session_key": "k", "unionid": "u-1"},
    "good-code-2": {"openid": "o-alice", "session_key": "k2"},
    "bad-code": {"errcode": 40029, "errmsg": "invalid code"},
    "busy": {"errcode": -1, "errmsg": "system error"},
    "limited": {"errcode": 45011, "errmsg": "api minute-quota reach limit"},
}


class Code2Session(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        body: object
        if url.path != "/sns/jscode2session" or query.get("grant_type") != "authorization_code":
            body, status = {"errcode": 40013, "errmsg": "bad request"}, 200
        elif query.get("appid") != APP_ID or query.get("secret") != SECRET:
            body, status = {"errcode": 40125, "errmsg": "invalid appsecret"}, 200
        else:
            body, status = ANSWERS.get(query.get("js_code", ""), {"errcode": 40029}), 200
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def wechat(settings) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Code2Session)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = APP_ID, SECRET
    settings.WECHAT_API_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    yield settings.WECHAT_API_BASE_URL
    server.shutdown()


def sign_in(code: str, binding_code: str | None = None):
    body = {"code": code} | ({"binding_code": binding_code} if binding_code else {})
    return APIClient().post("/api/v1/auth/wechat/", body, format="json")


def test_first_sign_in_without_binding_code_asks_for_one(wechat):
    response = sign_in("good-code")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "binding_required"


def test_binding_code_binds_and_returns_a_working_token(wechat, make_user):
    # Given an employee with a one-time binding code
    user = make_user("employee")
    code = binding_code_issue(user=user)
    # When they sign in from WeChat with it
    response = sign_in("good-code", code)
    # Then they get our API token for their account
    assert response.status_code == 200, response.content
    assert response.json()["user"]["username"] == user.username
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + response.json()["token"])
    assert client.get("/api/v1/me/").json()["username"] == user.username
    assert WeChatIdentity.objects.get(openid="o-alice").user == user


def test_bound_identity_signs_in_without_a_code_next_time(wechat, make_user):
    user = make_user("employee")
    sign_in("good-code", binding_code_issue(user=user))
    response = sign_in("good-code-2")
    assert response.status_code == 200
    assert response.json()["user"]["id"] == user.pk


def test_binding_code_works_only_once(wechat, make_user):
    code = binding_code_issue(user=make_user("employee"))
    assert sign_in("good-code", code).status_code == 200
    WeChatIdentity.objects.all().delete()
    response = sign_in("good-code", code)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_binding_code"


def test_invalid_wechat_code_is_401(wechat):
    response = sign_in("bad-code")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_code"


def test_wechat_system_error_is_502(wechat):
    response = sign_in("busy")
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "wechat_unavailable"


def test_wechat_rate_limit_is_503(wechat):
    response = sign_in("limited")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "wechat_rate_limited"


def test_unreachable_wechat_is_502(settings):
    settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = APP_ID, SECRET
    settings.WECHAT_API_BASE_URL = "http://127.0.0.1:9"  # discard port: refused
    response = sign_in("good-code")
    assert response.status_code == 502


def test_not_configured_is_503(settings):
    settings.WECHAT_APP_ID = ""
    response = sign_in("good-code")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "wechat_not_configured"


def test_guessing_binding_codes_locks_the_wechat_identity_out(wechat, make_user):
    # Given an unbound WeChat identity and a real binding code it does not know
    real_code = binding_code_issue(user=make_user("employee"))
    # When it guesses 5 wrong binding codes
    statuses = [sign_in("good-code", f"AAAA-BBBB-{n:04d}").status_code for n in range(5)]
    # Then the 5th is answered 429, and even the right code is refused until the cool-off ends
    assert statuses == [400, 400, 400, 400, 429]
    response = sign_in("good-code", real_code)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
    assert not WeChatIdentity.objects.exists()


def test_each_wechat_sign_in_gets_its_own_expiring_token(wechat, make_user):
    # Given a bound identity
    sign_in("good-code", binding_code_issue(user=make_user("employee")))
    # When it signs in twice / then each answer has its own token and an expiry
    first, second = sign_in("good-code-2").json(), sign_in("good-code-2").json()
    assert first["token"] != second["token"]
    assert first["expiry"] and second["expiry"]
