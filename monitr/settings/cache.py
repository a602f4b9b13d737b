"""The cache: Redis when ``REDIS_URL`` is set, else a per-process memory cache.

The cache lives in its own Redis database, never the broker's: clearing the cache (Django's ``RedisCache.clear`` is
``FLUSHDB``) must not drop queued or unacknowledged tasks. By default that is the database after the broker's
(``redis://host:6379/0`` → ``/1``); ``REDIS_CACHE_URL`` chooses another.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from .env import env

__all__ = ["CACHES", "REDIS_CACHE_URL", "REDIS_URL", "next_redis_database"]

REDIS_DATABASES = 16  # Redis's default number of databases


def next_redis_database(url: str) -> str:
    """The same Redis server, the next database number: ``redis://h:6379/0`` → ``redis://h:6379/1`` (15 → 0)."""
    parts = urlsplit(url)
    current = parts.path.strip("/") or "0"
    if not current.isdigit():
        raise ValueError(f"REDIS_URL's path must be a database number, not {current!r}.")
    return urlunsplit(parts._replace(path=f"/{(int(current) + 1) % REDIS_DATABASES}"))


REDIS_URL: str = env.str("REDIS_URL", default="")
REDIS_CACHE_URL: str = env.str("REDIS_CACHE_URL", default=next_redis_database(REDIS_URL) if REDIS_URL else "")

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "monitr",
            # A cache that does not answer must not hold up a page or a sign-in for long: give up after this and
            # let the caller degrade (sign-in throttling counts in the process instead). Passed to redis-py's pool.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if REDIS_CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
