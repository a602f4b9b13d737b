"""Monitr's log output keeps secrets out, whatever a caller or a library hands it."""

from __future__ import annotations

import logging
import sys

import pytest
import structlog

from monitr.logs import REDACTED, logging_config, redact_text

KEY = "LogKeyCanary-4f1e9a0c2b7d4e8f9a1b3c5d7e9f0a2b"


def _render(fmt: str, record: logging.LogRecord) -> str:
    config = dict(logging_config(level="DEBUG", fmt=fmt)["formatters"]["structured"])
    factory = config.pop("()")
    return factory(**config).format(record)


def _record_of_a_crash_with_a_secret_in_scope() -> logging.LogRecord:
    def open_source(secret: dict[str, str]) -> None:
        api_token = secret["api_token"]  # noqa: F841 - a local the traceback must not show
        raise RuntimeError("the provider crashed")

    try:
        open_source({"api_token": KEY})
    except RuntimeError:
        exc_info = sys.exc_info()
    return logging.LogRecord("integrations.sync.engine", logging.ERROR, __file__, 1, "sync.crashed", None, exc_info)


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_a_logged_traceback_shows_no_local_variables(fmt):
    rendered = _render(fmt, _record_of_a_crash_with_a_secret_in_scope())

    assert "the provider crashed" in rendered and "open_source" in rendered  # the traceback itself is kept
    assert KEY not in rendered and KEY[:12] not in rendered


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_fields_named_as_secrets_are_redacted_even_past_the_structlog_chain(fmt):
    record = logging.LogRecord("monitr", logging.INFO, __file__, 1, "hello", None, None)
    record.msg = {"event": "connected", "api_key": KEY, "detail": f"Authorization: Bearer {KEY}", "connection_id": 3}
    record._logger, record._name = structlog.get_logger(), "info"  # what wrap_for_formatter hands the formatter

    rendered = _render(fmt, record)

    assert KEY not in rendered and "connection_id" in rendered


def test_structlog_events_are_redacted_by_field_name_and_inside_text():
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("monitr.tests.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        structlog.stdlib.get_logger("monitr.tests.logs").info(
            "eboekhouden.answer", token=KEY, body=f'{{"token": "{KEY}", "expiresIn": 3600}}'
        )
    finally:
        logger.removeHandler(handler)

    (record,) = records
    assert KEY not in repr(record.msg) and "expiresIn" in repr(record.msg)


ENVELOPE = (
    "<soap:Envelope><soap:Body><OpenSession><Username>canary</Username><SecurityCode1>{key}</SecurityCode1>"
    '<SecurityCode2 xmlns="x">{key}</SecurityCode2></OpenSession></soap:Body></soap:Envelope>'
)


@pytest.mark.parametrize(
    "text",
    [
        ENVELOPE.format(key=KEY),
        f"<OpenSessionResult><SessionID>{KEY}</SessionID></OpenSessionResult>",
        f'{{"accessToken": "{KEY}", "source": "Monitr"}}',
        f"{{'Authorization': '{KEY}', 'Accept': 'application/json'}}",
        f"Authorization: Bearer {KEY}",
        f"GET /v1/thing?token={KEY}&limit=5",
    ],
)
def test_named_secrets_inside_text_are_redacted(text):
    redacted = redact_text(text)

    assert KEY not in redacted and REDACTED in redacted


def test_text_without_secrets_is_left_alone():
    text = 'sync.finished connection_id=3 status: ok <Username>canary</Username> {"source": "Monitr"} limit=5'

    assert redact_text(text) == text


def test_zeep_envelopes_logged_at_debug_hold_no_security_codes():
    config = logging_config(level="DEBUG", fmt="console")
    wire = config["loggers"]["zeep.transports"]
    assert wire["level"] == "WARNING"  # quiet by default ...
    (name,) = wire["filters"]  # ... and redacted when an operator turns it up to debug SOAP
    zeep_logger = logging.getLogger("zeep.transports")
    saved = zeep_logger.level, list(zeep_logger.filters), zeep_logger.propagate
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    zeep_logger.filters[:] = [config["filters"][name]["()"]()]
    zeep_logger.addHandler(handler)
    zeep_logger.setLevel(logging.DEBUG)
    zeep_logger.propagate = False
    try:
        zeep_logger.debug("HTTP Post to %s:\n%s", "https://soap.example/soap.asmx", ENVELOPE.format(key=KEY))
    finally:
        zeep_logger.removeHandler(handler)
        zeep_logger.setLevel(saved[0])
        zeep_logger.filters[:] = saved[1]
        zeep_logger.propagate = saved[2]

    (record,) = records
    assert KEY not in record.getMessage() and "canary" in record.getMessage()


def test_a_celery_worker_keeps_the_redacting_log_configuration():
    from monitr.celery import app

    root = logging.getLogger()
    before = [(handler, handler.formatter, list(handler.filters)) for handler in root.handlers]
    already = type(app.log)._setup
    type(app.log)._setup = False  # as a starting worker finds it
    try:
        app.log.setup(loglevel="INFO")
        after = [(handler, handler.formatter, list(handler.filters)) for handler in root.handlers]
    finally:
        type(app.log)._setup = already
        root.handlers[:] = [handler for handler, _, _ in before]
        for handler, formatter, filters in before:
            handler.formatter, handler.filters[:] = formatter, filters

    assert after == before
