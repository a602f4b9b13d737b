"""E-mail through Django's e-mail framework, configured by ``EMAIL_URL`` as django-environ reads it.

``smtp+tls://user:password@host:587`` (or ``smtp+ssl://…:465``, ``smtp://host:25``) for a real mail server,
``consolemail://`` to print mail on standard output. Without ``EMAIL_URL``, production hands mail to an SMTP server on
localhost (Django's own default), and development and ``make demo`` keep it in a local outbox: Django's file backend
writes every message into ``MONITR_DATA_DIR/outbox``, and the Outbox page (``/outbox/``) lists them, so invitations
can be followed without a mail server.
"""

from __future__ import annotations

from typing import Any

from .env import DATA_DIR, IS_PRODUCTION, env

__all__ = [
    "DEFAULT_FROM_EMAIL",
    "EMAIL_BACKEND",
    "EMAIL_FILE_PATH",
    "EMAIL_HOST",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_HOST_USER",
    "EMAIL_PORT",
    "EMAIL_TIMEOUT",
    "EMAIL_USE_SSL",
    "EMAIL_USE_TLS",
    "SERVER_EMAIL",
]

_DEFAULT_EMAIL_URL = "smtp://localhost:25"

if env.str("EMAIL_URL", default=""):
    _config: dict[str, Any] = env.email_url("EMAIL_URL")
elif IS_PRODUCTION:
    _config = env.email_url_config(_DEFAULT_EMAIL_URL)
else:
    _config = {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(DATA_DIR / "outbox"),
    }

EMAIL_BACKEND: str = _config["EMAIL_BACKEND"]
EMAIL_FILE_PATH: str = _config.get("EMAIL_FILE_PATH") or str(DATA_DIR / "outbox")
EMAIL_HOST: str = _config.get("EMAIL_HOST") or "localhost"
EMAIL_PORT: int = _config.get("EMAIL_PORT") or 25
EMAIL_HOST_USER: str = _config.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD: str = _config.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS: bool = bool(_config.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL: bool = bool(_config.get("EMAIL_USE_SSL", False))
# A mail server that does not answer must not hold up the page that sends (an invitation) for long.
EMAIL_TIMEOUT: int = env.int("EMAIL_TIMEOUT", default=10)

DEFAULT_FROM_EMAIL: str = env.str("DEFAULT_FROM_EMAIL", default="Monitr <monitr@localhost>")
SERVER_EMAIL: str = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
