"""Structured logging for Monitr.

Every event goes through structlog, with names and key-value fields (``sync.stream.finished connection_id=3``).
Secrets must never reach a log: the :func:`redact_secrets` processor blanks every field whose name says it holds
one, whatever the caller passed, and stdlib records from libraries pass through the same chain.
"""

from __future__ import annotations

import re
from typing import Any

import structlog

REDACTED = "[redacted]"
# Field names that carry credentials anywhere in Monitr or its libraries.
SECRET_FIELD = re.compile(
    r"(pass(word)?|secret|token|api_?key|access_?key|security_?code|authorization|session_?id|credential|cookie)",
    re.IGNORECASE,
)


def redact_secrets(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Blank the value of every field whose name marks it as a secret."""
    for key in list(event_dict):
        if key != "event" and SECRET_FIELD.search(key):
            event_dict[key] = REDACTED
    return event_dict


_SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    redact_secrets,
]


def logging_config(*, level: str, fmt: str) -> dict[str, Any]:
    """Django's ``LOGGING`` dict: one handler on stderr that renders stdlib and structlog records alike."""
    renderer = structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
                "foreign_pre_chain": _SHARED_PROCESSORS,
            }
        },
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            # zeep logs whole SOAP envelopes at DEBUG, and they carry security codes.
            "zeep": {"level": "WARNING"},
            "urllib3": {"level": "WARNING"},
        },
    }


def configure_structlog() -> None:
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED_PROCESSORS,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
