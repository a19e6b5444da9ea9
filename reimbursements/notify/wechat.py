"""WeChat subscribe messages (订阅消息) to the mini-program's users.

The access token comes from ``GET /cgi-bin/token`` (client_credential) and is cached
until shortly before it expires; a message is ``POST /cgi-bin/message/subscribe/send``.
The template (``WECHAT_SUBSCRIBE_TEMPLATE_ID``) is chosen in the mini-program's admin
console; ``WECHAT_SUBSCRIBE_FIELDS`` maps our four values (title, status, time, note)
to its keys (``thing1``, ``phrase2``, ...), whose type limits the length.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache

# errcodes of WeChat's documentation for these two calls.
_TOKEN_INVALID = {40001, 40014, 42001}  # invalid or expired access token
_SYSTEM_BUSY = {-1, 45009, 45011}  # busy, daily or per-minute limit
# The user has not accepted (or used up) this template, or the openid is wrong: no retry.
_RECIPIENT_REFUSED = {43101, 40003, 47003, 41030}
_TOKEN_KEY = "wechat:access_token"  # noqa: S105  (a cache key, not a secret)
# Characters each template key type accepts (WeChat's limits for subscribe messages).
_TYPE_LIMITS = {"thing": 20, "phrase": 5, "character_string": 32, "name": 10}


class WeChatDeliveryError(Exception):
    """Transient: network, WeChat busy, or a token that would not refresh."""


class WeChatRecipientError(Exception):
    """Permanent for this message: the user did not subscribe, or the data was refused."""


def wechat_configured() -> bool:
    return bool(
        settings.WECHAT_APP_ID
        and settings.WECHAT_APP_SECRET
        and settings.WECHAT_SUBSCRIBE_TEMPLATE_ID
    )


def _fit(key: str, value: str) -> str:
    kind = key.rstrip("0123456789")
    limit = _TYPE_LIMITS.get(kind)
    if limit is None or len(value) <= limit:
        return value
    return value[: limit - 1] + "…"


@dataclass(frozen=True)
class SubscribeClient:
    base_url: str
    app_id: str
    app_secret: str
    template_id: str
    fields: dict[str, str]
    state: str
    timeout_s: float

    @classmethod
    def from_settings(cls) -> SubscribeClient:
        return cls(
            base_url=settings.WECHAT_API_BASE_URL.rstrip("/"),
            app_id=settings.WECHAT_APP_ID,
            app_secret=settings.WECHAT_APP_SECRET,
            template_id=settings.WECHAT_SUBSCRIBE_TEMPLATE_ID,
            fields=dict(settings.WECHAT_SUBSCRIBE_FIELDS),
            state=settings.WECHAT_MINIPROGRAM_STATE,
            timeout_s=settings.WECHAT_TIMEOUT_S,
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = requests.request(
                method, f"{self.base_url}{path}", timeout=self.timeout_s, **kwargs
            )
            body = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise WeChatDeliveryError(f"WeChat could not be reached: {exc}") from exc
        if response.status_code >= 500:
            raise WeChatDeliveryError(f"WeChat answered HTTP {response.status_code}")
        if not isinstance(body, dict):
            raise WeChatDeliveryError("WeChat answered something other than a JSON object")
        return body

    def access_token(self, *, refresh: bool = False) -> str:
        if not refresh:
            cached = cache.get(_TOKEN_KEY)
            if cached:
                return str(cached)
        body = self._call(
            "GET",
            "/cgi-bin/token",
            params={
                "grant_type": "client_credential",
                "appid": self.app_id,
                "secret": self.app_secret,
            },
        )
        token = body.get("access_token")
        if not token:
            raise WeChatDeliveryError(f"no access token (errcode {body.get('errcode')})")
        ttl = max(60, int(body.get("expires_in") or 7200) - 300)
        cache.set(_TOKEN_KEY, token, ttl)
        return str(token)

    def send(self, *, openid: str, page: str, values: dict[str, str]) -> None:
        data = {
            key: {"value": _fit(key, values.get(name, ""))} for name, key in self.fields.items()
        }
        payload = {
            "touser": openid,
            "template_id": self.template_id,
            "page": page,
            "data": data,
            "miniprogram_state": self.state,
            "lang": "zh_CN",
        }
        for attempt in range(2):
            token = self.access_token(refresh=attempt > 0)
            body = self._call(
                "POST",
                "/cgi-bin/message/subscribe/send",
                params={"access_token": token},
                json=payload,
            )
            errcode = int(body.get("errcode") or 0)
            if errcode == 0:
                return
            if errcode in _TOKEN_INVALID and attempt == 0:
                continue  # another process may have refreshed it: fetch a new one once
            if errcode in _RECIPIENT_REFUSED:
                raise WeChatRecipientError(f"errcode {errcode}: {body.get('errmsg', '')}")
            if errcode in _SYSTEM_BUSY or errcode in _TOKEN_INVALID:
                raise WeChatDeliveryError(f"errcode {errcode}: {body.get('errmsg', '')}")
            raise WeChatRecipientError(f"errcode {errcode}: {body.get('errmsg', '')}")
