"""The cache: Redis when ``REDIS_URL`` is set, else a per-process memory cache."""

from __future__ import annotations

from .env import env

__all__ = ["CACHES", "REDIS_URL"]

REDIS_URL: str = env.str("REDIS_URL", default="")

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "monitr",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
