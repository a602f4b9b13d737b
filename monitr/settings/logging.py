"""Logging through structlog: key-value events, secrets redacted before anything is written."""

from __future__ import annotations

from monitr.logs import configure_structlog, keep_logging_in_celery_workers, logging_config

from .env import env

__all__ = ["LOGGING", "LOG_FORMAT", "LOG_LEVEL"]

LOG_LEVEL: str = env.str("LOG_LEVEL", default="INFO").upper()
LOG_FORMAT: str = env.str("LOG_FORMAT", default="console")  # "console" or "json"

LOGGING = logging_config(level=LOG_LEVEL, fmt=LOG_FORMAT)
configure_structlog()
keep_logging_in_celery_workers()
