"""A Redis cache that fails open: a Redis outage must not turn uploads into 500s.

The cache only ever holds things we can recompute or do without (extraction results,
throttle counters). While Redis is down, reads miss, writes are dropped, and rate
limits are not enforced; the broker outage itself is handled by the sweeper.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class _ReusingClient(RedisCacheClient):
    """Django builds a new ``redis.Redis`` around the pool on every call (~0.1-0.3 ms of
    setup each, a few per request); a ``redis.Redis`` is thread-safe, so one is kept per
    kind of use (reads may pick one of several servers once, not per call)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[bool, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        client = self._clients.get(write)
        if client is None:
            client = self._clients[write] = super().get_client(key, write=write)
        return client


class FailOpenRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusingClient

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except _DOWN as exc:
            log.warning("cache unavailable on get: %s", exc)
            return default

    def set(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except _DOWN as exc:
            log.warning("cache unavailable on set: %s", exc)

    def add(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> bool:
        try:
            return bool(super().add(key, value, timeout, version))
        except _DOWN as exc:
            log.warning("cache unavailable on add: %s", exc)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return bool(super().delete(key, version))
        except _DOWN as exc:
            log.warning("cache unavailable on delete: %s", exc)
            return False
