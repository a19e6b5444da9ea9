"""Delivery after commit: e-mail to a real SMTP server (aiosmtpd) started here, WeChat
subscribe messages to a local server that speaks WeChat's protocol; Celery runs the
tasks inline (eager), retries included."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from reimbursements import workflow
from reimbursements.models import Claim, Notification, WeChatIdentity
from reimbursements.notify.tasks import resend_stalled_notifications, send_notification_email
from tests.reimbursements.workflow_helpers import submitted_claim

D = Notification.Delivery


@pytest.fixture(autouse=True)
def eager(settings) -> None:
    # Through Django's settings, which Celery reads on each use: an assignment to
    # celery_app.conf would stay behind as an override (the value "restored" afterwards
    # shadowed CELERY_TASK_ALWAYS_EAGER for every later test).
    settings.CELERY_TASK_ALWAYS_EAGER = True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- a real SMTP server -------------------------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.SITE_URL = "https://ia.example.com"
    yield inbox
    controller.stop()


def return_claim(org, django_capture_on_commit_callbacks, reason: str = "Add the hotel receipt"):
    claim = submitted_claim(org)
    client = APIClient()
    client.force_authenticate(org.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/claims/{claim.pk}/return/", {"comment": reason}, format="json"
        )
    return claim, response


def test_a_returned_claim_emails_its_owner_through_smtp(
    org, smtp, django_capture_on_commit_callbacks
):
    # When the manager returns a claim (the e-mail task runs after commit)
    claim, response = return_claim(org, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    # Then the SMTP server received one e-mail to the owner with the reason and a deep link
    (message,) = smtp.messages
    assert smtp.recipients == [[org.employee.email]]
    assert claim.title in message["Subject"] and "returned" in message["Subject"]
    text = message.get_content()
    assert "Add the hotel receipt" in text
    assert f"https://ia.example.com/#/claims/{claim.pk}" in text
    row = Notification.objects.get(recipient=org.employee)
    assert (row.email_status, row.email_attempts) == (D.SENT, 1)


def test_an_unreachable_mail_server_never_fails_the_transition(
    org, settings, django_capture_on_commit_callbacks
):
    # Given SMTP pointing at a port where nothing listens
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    # When the manager returns a claim
    claim, response = return_claim(org, django_capture_on_commit_callbacks)
    # Then the return succeeded, and the e-mail was retried (Celery autoretry) and marked failed
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.status == Claim.Status.RETURNED
    row = Notification.objects.get(recipient=org.employee)
    assert row.email_status == D.FAILED
    assert row.email_attempts == django_settings.NOTIFY_MAX_RETRIES + 1
    assert "ConnectionRefusedError" in row.email_error
    # And the inbox still has it
    assert row.read_at is None


def test_a_failed_email_goes_out_once_the_server_is_back(
    org, settings, smtp, django_capture_on_commit_callbacks
):
    # Given an e-mail that failed while the server was unreachable
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()
    return_claim(org, django_capture_on_commit_callbacks)
    row = Notification.objects.get(recipient=org.employee)
    assert row.email_status == D.FAILED
    # When the task runs again with the server reachable
    settings.EMAIL_PORT = port
    send_notification_email.apply(args=(row.pk,))
    # Then it is delivered once, and running it again sends nothing more
    send_notification_email.apply(args=(row.pk,))
    row.refresh_from_db()
    assert row.email_status == D.SENT
    assert len(smtp.messages) == 1


def test_an_email_whose_message_was_lost_is_sent_by_the_periodic_resend(
    org, smtp, settings, django_capture_on_commit_callbacks
):
    # Given a returned claim whose e-mail task never reached a worker (broker down at
    # commit: the callbacks are captured, not run), noticed after NOTIFY_STALLED_AFTER_S
    claim = submitted_claim(org)
    with django_capture_on_commit_callbacks(execute=False):
        workflow.claim_return(actor=org.manager, claim_id=claim.pk, comment="Add the receipt")
    row = Notification.objects.get(recipient=org.employee)
    assert row.email_status == D.PENDING
    Notification.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=settings.NOTIFY_STALLED_AFTER_S + 1)
    )
    # When the periodic task runs (twice: a second run finds nothing left)
    resend_stalled_notifications.apply()
    resend_stalled_notifications.apply()
    # Then the e-mail went out once
    row.refresh_from_db()
    assert row.email_status == D.SENT
    assert len(smtp.messages) == 1


# --- a local WeChat ---------------------------------------------------------------------

APP_ID, SECRET, TEMPLATE = "wx-test-app", "s3cret", "tmpl-claim-status"


@dataclass
class FakeWeChat:
    url: str = ""
    tokens_issued: int = 0
    sends: list[dict[str, Any]] = field(default_factory=list)
    # Answers to the next subscribe/send calls; after them, success.
    script: list[dict[str, Any]] = field(default_factory=list)


def handler_for(state: FakeWeChat) -> type[BaseHTTPRequestHandler]:
    class WeChat(BaseHTTPRequestHandler):
        def _answer(self, body: dict[str, Any]) -> None:
            payload = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path != "/cgi-bin/token" or query.get("grant_type") != "client_credential":
                self._answer({"errcode": 40013, "errmsg": "invalid request"})
            elif (query.get("appid"), query.get("secret")) != (APP_ID, SECRET):
                self._answer({"errcode": 40125, "errmsg": "invalid appsecret"})
            else:
                state.tokens_issued += 1
                self._answer({"access_token": f"TOKEN-{state.tokens_issued}", "expires_in": 7200})

        def do_POST(self) -> None:
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            token = parse_qs(url.query).get("access_token", [""])[0]
            state.sends.append({"path": url.path, "token": token, "body": body})
            if url.path != "/cgi-bin/message/subscribe/send":
                self._answer({"errcode": 40013, "errmsg": "invalid request"})
            elif token != f"TOKEN-{state.tokens_issued}":
                self._answer({"errcode": 40001, "errmsg": "invalid credential"})
            elif state.script:
                self._answer(state.script.pop(0))
            else:
                self._answer({"errcode": 0, "errmsg": "ok"})

        def log_message(self, *args: object) -> None:
            pass

    return WeChat


@pytest.fixture
def wechat(settings, org) -> Iterator[FakeWeChat]:
    state = FakeWeChat()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = APP_ID, SECRET
    settings.WECHAT_SUBSCRIBE_TEMPLATE_ID = TEMPLATE
    settings.WECHAT_API_BASE_URL = state.url
    cache.delete("wechat:access_token")
    WeChatIdentity.objects.create(openid="o-emma", user=org.employee)
    yield state
    server.shutdown()
    cache.delete("wechat:access_token")


def test_a_returned_claim_sends_a_subscribe_message(
    org, wechat, django_capture_on_commit_callbacks
):
    # When the manager returns a claim of an employee bound to WeChat
    claim, response = return_claim(org, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    # Then WeChat got one subscribe message for that openid, opening the claim's page
    (sent,) = wechat.sends
    body = sent["body"]
    assert (body["touser"], body["template_id"]) == ("o-emma", TEMPLATE)
    assert body["page"] == f"pages/claim/index?id={claim.pk}"
    assert set(body["data"]) == {"thing1", "phrase2", "time3", "thing4"}
    # within the template's limits: thing <= 20 characters, phrase <= 5
    assert len(body["data"]["thing1"]["value"]) <= 20
    assert len(body["data"]["phrase2"]["value"]) <= 5
    assert "Add the hotel receipt"[:10] in body["data"]["thing4"]["value"]
    row = Notification.objects.get(recipient=org.employee)
    assert row.wechat_status == D.SENT


def test_an_expired_access_token_is_refreshed_once(org, wechat, django_capture_on_commit_callbacks):
    # Given a cached token WeChat no longer accepts
    cache.set("wechat:access_token", "TOKEN-stale", 600)
    # When a message is sent
    return_claim(org, django_capture_on_commit_callbacks)
    # Then a new token was fetched and the message resent with it
    assert [s["token"] for s in wechat.sends] == ["TOKEN-stale", "TOKEN-1"]
    assert Notification.objects.get(recipient=org.employee).wechat_status == D.SENT


def test_a_user_who_did_not_subscribe_is_not_retried(
    org, wechat, django_capture_on_commit_callbacks
):
    # Given WeChat refusing the message (the user has not accepted the template)
    wechat.script = [{"errcode": 43101, "errmsg": "user refuse to accept the msg"}]
    # When a claim is returned
    _claim, response = return_claim(org, django_capture_on_commit_callbacks)
    # Then one try, marked failed, and the transition stands
    assert response.status_code == 200
    assert len(wechat.sends) == 1
    row = Notification.objects.get(recipient=org.employee)
    assert (row.wechat_status, row.wechat_attempts) == (D.FAILED, 1)
    assert "43101" in row.wechat_error


def test_a_busy_wechat_is_retried_with_backoff_until_it_answers(
    org, wechat, django_capture_on_commit_callbacks
):
    # Given WeChat busy twice, then fine
    wechat.script = [{"errcode": -1, "errmsg": "system busy"}] * 2
    # When a claim is returned
    return_claim(org, django_capture_on_commit_callbacks)
    # Then the third try delivered it
    assert len(wechat.sends) == 3
    row = Notification.objects.get(recipient=org.employee)
    assert (row.wechat_status, row.wechat_attempts) == (D.SENT, 3)
