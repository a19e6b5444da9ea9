"""WeChat mini-program sign-in: code2session adapter and the binding service.

wx.login gives the mini-program a one-time ``code``; the backend exchanges it at
WeChat's ``/sns/jscode2session`` for the user's ``openid``. The first sign-in of an
openid needs a one-time binding code an admin issued for an employee account
(``manage.py wechat_binding_code USERNAME``); afterwards the openid alone signs in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import requests
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from reimbursements.models import WeChatBindingCode, WeChatIdentity
from reimbursements.services import ServiceError
from reimbursements.tokens import IssuedToken, auth_token_issue

# WeChat's documented errcodes for jscode2session.
_INVALID_CODE_ERRORS = {40029, 40163, 40226}  # invalid, already used, high-risk user
_RATE_LIMITED = 45011


class WeChatError(ServiceError):
    pass


@dataclass(frozen=True)
class WeChatSession:
    openid: str
    unionid: str | None


class WeChatClient:
    """Talks to code2session; every failure becomes a ``WeChatError`` with an HTTP status."""

    def __init__(self, *, base_url: str, app_id: str, app_secret: str, timeout_s: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self.app_secret = app_secret
        self.timeout_s = timeout_s

    @classmethod
    def from_settings(cls) -> WeChatClient:
        if not (settings.WECHAT_APP_ID and settings.WECHAT_APP_SECRET):
            raise WeChatError(
                "wechat_not_configured",
                gettext("WeChat sign-in is not configured on this server (WECHAT_APP_ID/SECRET)."),
                status_code=503,
            )
        return cls(
            base_url=settings.WECHAT_API_BASE_URL,
            app_id=settings.WECHAT_APP_ID,
            app_secret=settings.WECHAT_APP_SECRET,
            timeout_s=settings.WECHAT_TIMEOUT_S,
        )

    def code2session(self, code: str) -> WeChatSession:
        try:
            response = requests.get(
                f"{self.base_url}/sns/jscode2session",
                params={
                    "appid": self.app_id,
                    "secret": self.app_secret,
                    "js_code": code,
                    "grant_type": "authorization_code",
                },
                timeout=self.timeout_s,
            )
            body = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise WeChatError(
                "wechat_unavailable",
                gettext("WeChat could not be reached; try again."),
                status_code=502,
            ) from exc
        errcode = int(body.get("errcode") or 0)
        if errcode in _INVALID_CODE_ERRORS:
            raise WeChatError(
                "invalid_code",
                gettext("The WeChat login code is invalid or expired."),
                status_code=401,
            )
        if errcode == _RATE_LIMITED:
            raise WeChatError(
                "wechat_rate_limited",
                gettext("WeChat is limiting sign-ins; wait a moment."),
                status_code=503,
            )
        if errcode or response.status_code >= 400 or not body.get("openid"):
            raise WeChatError(
                "wechat_unavailable",
                gettext("WeChat refused the sign-in (errcode %(errcode)s).")
                % {"errcode": errcode or response.status_code},
                status_code=502,
            )
        return WeChatSession(openid=str(body["openid"]), unionid=body.get("unionid"))


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def binding_code_issue(*, user: User, ttl_hours: int = 72) -> str:
    """A one-time code an admin hands to an employee to bind their WeChat."""
    code = "-".join(secrets.token_hex(2).upper() for _ in range(3))
    WeChatBindingCode.objects.create(
        user=user,
        code_hash=_hash(code),
        expires_at=timezone.now() + dt.timedelta(hours=ttl_hours),
    )
    return code


def wechat_sign_in(*, session: WeChatSession, binding_code: str | None) -> tuple[User, IssuedToken]:
    """A new API token for the WeChat identity code2session returned, binding on first use."""
    with transaction.atomic():
        identity = (
            WeChatIdentity.objects.select_for_update()
            .select_related("user")
            .filter(openid=session.openid)
            .first()
        )
        if identity is None:
            if not binding_code:
                raise WeChatError(
                    "binding_required",
                    gettext("First sign-in: enter the binding code your administrator gave you."),
                )
            binding = (
                WeChatBindingCode.objects.select_for_update()
                .select_related("user")
                .filter(
                    code_hash=_hash(binding_code),
                    used_at__isnull=True,
                    expires_at__gt=timezone.now(),
                )
                .first()
            )
            if binding is None:
                raise WeChatError(
                    "invalid_binding_code", gettext("The binding code is wrong, used or expired.")
                )
            binding.used_at = timezone.now()
            binding.save(update_fields=["used_at"])
            identity = WeChatIdentity.objects.create(
                openid=session.openid, unionid=session.unionid or "", user=binding.user
            )
        user = identity.user
        if not user.is_active:
            raise WeChatError(
                "account_disabled", gettext("This account is disabled."), status_code=403
            )
        token = auth_token_issue(user=user)
    return user, token
