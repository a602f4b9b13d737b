"""Structured logging for Monitr.

Every event goes through structlog, with names and key-value fields (``sync.stream.finished connection_id=3``).
Secrets must never reach a log: the :func:`redact_secrets` processor blanks every field whose name says it holds
one, whatever the caller passed, and the value of every named secret inside text (an XML element such as
``<SecurityCode1>``, a JSON or Python ``"token": ...`` pair, ``Authorization: ...``, ``?token=...``). Stdlib records
from libraries pass through the same chain, and the libraries that log what goes over the wire (zeep's SOAP
envelopes, urllib3's URLs) have :class:`RedactSecretsFilter` on their loggers, so that even at DEBUG the record
itself holds no secret. Tracebacks are written without local variables, which may hold credentials.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import structlog

REDACTED = "[redacted]"
# Field names that carry credentials anywhere in Monitr or its libraries.
SECRET_FIELD = re.compile(
    r"(pass(word)?|secret|token|api_?key|access_?key|security_?code|authorization|session_?id|credential|cookie)",
    re.IGNORECASE,
)


_NAME = r"[A-Za-z_][\w.-]*"
# A named value inside text: <ns:Name attr="...">value</ns:Name>, "name": "value", 'name': 'value', name=value,
# Name: value (a header line). The name decides; the value is replaced.
_NAMED_VALUES = (
    re.compile(rf"(<(?:{_NAME}:)?(?P<name>{_NAME})(?:\s[^>]*)?>)(?P<value>[^<]*)(?=</)"),
    re.compile(rf"""(?P<q>["'])(?P<name>{_NAME})(?P=q)(\s*:\s*)(?P<vq>["'])(?P<value>(?:(?!(?P=vq)).)*)(?P=vq)"""),
    re.compile(rf"(?<![\w.-])(?P<name>{_NAME})(=|:[ \t]*)(?P<value>(?:(?i:bearer|basic|token)[ \t]+)?[^\s&,;'\"<>]+)"),
)


def redact_text(text: str) -> str:
    """``text`` with the value of every named secret in it replaced by ``[redacted]``."""

    def blank(match: re.Match[str]) -> str:
        if not SECRET_FIELD.search(match["name"]):
            return match[0]
        start, end = match.span("value")
        return match[0][: start - match.start()] + REDACTED + match[0][end - match.start() :]

    for pattern in _NAMED_VALUES:
        text = pattern.sub(blank, text)
    return text


def redact_secrets(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Blank the value of every field whose name marks it as a secret, and named secrets inside text values."""
    for key, value in list(event_dict.items()):
        if key != "event" and SECRET_FIELD.search(key):
            event_dict[key] = REDACTED
        elif isinstance(value, str):
            event_dict[key] = redact_text(value)
    return event_dict


class RedactSecretsFilter(logging.Filter):
    """Rewrites a record's message with :func:`redact_text` (for loggers of libraries that log wire traffic)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            try:
                message = record.getMessage()
            except Exception:  # a record whose arguments do not fit its format: leave it to logging's own report
                return True
            redacted = redact_text(message)
            if redacted != message:
                record.msg, record.args = redacted, None
        return True


# Libraries that log requests and answers at DEBUG: SOAP envelopes with security codes and session ids, URLs.
WIRE_LOGGERS = ("zeep.transports", "zeep.wsdl.bindings.soap", "urllib3.connectionpool", "requests")


_SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    redact_secrets,
]


def logging_config(*, level: str, fmt: str) -> dict[str, Any]:
    """Django's ``LOGGING`` dict: one handler on stderr that renders stdlib and structlog records alike."""
    if fmt == "json":
        # The traceback as text in the JSON object (no local variables: ``format_exc_info`` never shows them).
        renderers: list[Any] = [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    else:
        # The default console traceback (rich) prints every frame's local variables, credentials included.
        renderers = [structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)]
    wire = {"level": "WARNING", "filters": ["redact"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": RedactSecretsFilter}},
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                # Redacted again here, so that an event that took another way to the handler is still covered.
                "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta, redact_secrets, *renderers],
                "foreign_pre_chain": _SHARED_PROCESSORS,
            }
        },
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "structured", "filters": ["redact"]}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            # zeep logs whole SOAP envelopes at DEBUG, and they carry security codes: quiet, and redacted if raised.
            "zeep": {"level": "WARNING"},
            "urllib3": {"level": "WARNING"},
            # WeasyPrint logs each step of every PDF ("Step 5 - Creating layout") at INFO: its warnings are enough.
            "weasyprint.progress": {"level": "WARNING"},
            **{name: wire for name in WIRE_LOGGERS},
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


def keep_logging_in_celery_workers() -> None:
    """Let a Celery worker keep the logging Django set up from ``LOGGING``.

    Without a ``setup_logging`` receiver a worker replaces the root logger's handlers with its own, which render
    records with neither the redaction nor the JSON format configured here."""
    from celery.signals import setup_logging

    setup_logging.connect(_logging_already_configured, weak=False, dispatch_uid="monitr.logs")


def _logging_already_configured(**_: Any) -> None:
    """Django applied ``LOGGING`` when the worker started; the level is ``LOG_LEVEL``'s, not the worker's -l."""


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
