"""Fixtures that take Redis away: the Celery broker, the cache, or both point at a closed port (a pytest plugin of the
suite). Nothing listens on port 1 of the loopback address, so every connection is refused at once."""

from __future__ import annotations

import pytest

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def _drop_broker_pools(app) -> None:
    # Celery keeps a pool of broker connections (and of producers on it) once it has published; forget both so that
    # the next publish connects to the broker the configuration names now. Not closed: kombu shares the pools of one
    # broker address process-wide, and the real broker's is needed again afterwards.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    from monitr.celery import app

    before = app.conf.broker_url
    _drop_broker_pools(app)
    app.conf.broker_url = UNREACHABLE_REDIS
    yield UNREACHABLE_REDIS
    _drop_broker_pools(app)
    app.conf.broker_url = before


@pytest.fixture
def cache_down(settings):
    """The default cache is Redis on a closed port, as ``monitr.settings.cache`` builds it for a ``REDIS_URL``."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/1",
            "KEY_PREFIX": "monitr",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    return settings.CACHES


@pytest.fixture
def redis_down(broker_down, cache_down):
    """Redis is unreachable: no broker, no cache."""
    return UNREACHABLE_REDIS
