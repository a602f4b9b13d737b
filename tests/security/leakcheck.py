"""Tools for proving that secrets leak nowhere: what to look for, and every place to look.

- :class:`Needles`: the secrets and their recognisable parts (first and last 12 characters), searched for
  case-insensitively (e-Boekhouden compares security code 2 without regard to case).
- :class:`LogCapture`: every record of every logger at DEBUG, including the libraries' (zeep, urllib3, requests,
  celery, kombu), checked raw and as Monitr's formatters render it (console with tracebacks, JSON).
- :class:`CeleryCapture`: what ``apply_async`` publishes (``before_task_publish``: body and headers) and what lies in
  the broker before a worker takes it (Redis lists, or the filesystem transport's files).
- :func:`database_texts`: every column of every table cast to text with raw SQL, Django sessions decoded.
- :func:`redis_texts`: every key and value in the Redis database of the broker and cache.
- :func:`crawl`: every GET page the URL configuration has, and the links they lead to.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import logging.config
import re
import time
import traceback
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from celery.signals import before_task_publish, setup_logging
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection as db
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from integrations.management.commands.rotate_encryption_keys import encrypted_columns
from monitr.logs import logging_config
from tests.pdftext import PDF_MAGIC, pdf_text

PARTIAL = 12  # a key's first or last this many characters identify it as well as the whole key


@dataclass
class Needles:
    """Named secrets to look for. Each is searched whole and, when long enough, by its first and last 12 characters."""

    secrets: dict[str, str] = field(default_factory=dict)

    def add(self, label: str, secret: str) -> None:
        self.secrets[label] = secret

    def patterns(self) -> Iterator[tuple[str, str]]:
        for label, secret in self.secrets.items():
            yield label, secret.lower()
            if len(secret) > PARTIAL + 4:
                yield f"{label} (first {PARTIAL})", secret[:PARTIAL].lower()
                yield f"{label} (last {PARTIAL})", secret[-PARTIAL:].lower()

    def found_in(self, text: str) -> list[str]:
        text = text.lower()
        return [label for label, needle in self.patterns() if needle in text]

    def check(self, where: str, texts: Iterable[tuple[str, str]]) -> list[str]:
        """``where: place: label`` for every needle found in ``(place, text)`` pairs; never the secret itself."""
        return [f"{where}: {place}: {label}" for place, text in texts for label in self.found_in(text)]


# -- logs -------------------------------------------------------------------------------------------------------------
LIBRARY_LOGGERS = (
    "zeep",
    "zeep.transports",
    "zeep.wsdl",
    "urllib3",
    "urllib3.connectionpool",
    "requests",
    "celery",
    "kombu",
    "django",
    "django.request",
    "django.server",
    "structlog",
    "eboekhouden",
    "integrations",
    "monitr",
)


class LogCapture(logging.Handler):
    """Keeps every record that reaches it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def texts(self) -> Iterator[tuple[str, str]]:
        renderers = [_formatter("console"), _formatter("json")]
        for record in self.records:
            place = f"{record.name}:{record.levelname}"
            yield place, _record_text(record)
            for renderer in renderers:
                yield f"{place} rendered", renderer.format(record)


def _formatter(fmt: str) -> logging.Formatter:
    config = dict(logging_config(level="DEBUG", fmt=fmt)["formatters"]["structured"])
    factory = config.pop("()")
    return factory(**config)


def _record_text(record: logging.LogRecord) -> str:
    parts = [repr(record.msg), repr(record.args), repr(vars(record))]
    try:
        parts.append(record.getMessage())
    except Exception as error:  # a record whose arguments do not fit its format is still searched raw
        parts.append(repr(error))
    if record.exc_info and record.exc_info[1] is not None:
        parts.append("".join(traceback.format_exception(record.exc_info[1])))
    if record.stack_info:
        parts.append(record.stack_info)
    return "\n".join(parts)


@contextmanager
def capture_every_log() -> Iterator[LogCapture]:
    """Every logger at DEBUG into one handler, whatever the logging configuration says; restored afterwards.

    The embedded Celery worker is kept from taking over the logging: ``setup_logging`` has a receiver, and the
    ``django.setup()`` it runs may not apply the LOGGING setting again (``dictConfig`` does nothing meanwhile). At the
    end the capture checks that it was still in place."""
    capture = LogCapture()
    manager = logging.Logger.manager
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name)
    loggers = [logging.getLogger()] + [
        logger for logger in manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    not_propagating = [logger for logger in loggers if not logger.propagate]
    disabled_below = manager.disable

    def keep_logging_as_it_is(*_: Any, **__: Any) -> None:
        return None

    setup_logging.connect(keep_logging_as_it_is, weak=False)
    dict_config = logging.config.dictConfig
    logging.config.dictConfig = keep_logging_as_it_is
    logging.disable(logging.NOTSET)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    logging.getLogger().addHandler(capture)
    for logger in not_propagating:
        logger.addHandler(capture)
    try:
        yield capture
        assert capture in logging.getLogger().handlers, "the log capture was removed"
        assert all(logger.level == logging.DEBUG for logger in loggers), "a logger's level was changed"
    finally:
        logging.config.dictConfig = dict_config
        logging.getLogger().removeHandler(capture)
        for logger in not_propagating:
            logger.removeHandler(capture)
        for logger, level, disabled in saved:
            logger.setLevel(level)
            logger.disabled = disabled
        logging.disable(disabled_below)
        setup_logging.disconnect(keep_logging_as_it_is)


# -- Celery -----------------------------------------------------------------------------------------------------------
@dataclass
class CeleryCapture:
    """Every task message published while active (``before_task_publish``), and broker contents peeked at."""

    published: list[dict[str, Any]] = field(default_factory=list)
    peeked: list[str] = field(default_factory=list)

    def on_publish(self, sender: str | None = None, body: Any = None, headers: Any = None, **kwargs: Any) -> None:
        self.published.append(
            {
                "task": sender,
                "body": body,
                "headers": headers,
                "exchange": kwargs.get("exchange"),
                "rk": kwargs.get("routing_key"),
            }
        )

    def task_args(self) -> list[tuple[str, Any]]:
        """(task name, (args, kwargs)) of each published message (protocol 2: the body starts with both)."""
        return [(m["task"], (m["body"][0], m["body"][1])) for m in self.published]

    def peek_broker(self) -> list[str]:
        """The raw messages waiting in the broker now, as text (bodies base64-decoded); kept in ``peeked``."""
        found = broker_messages()
        self.peeked.extend(found)
        return found

    def texts(self) -> Iterator[tuple[str, str]]:
        for message in self.published:
            yield f"published {message['task']}", json.dumps(message, default=repr)
        for index, raw in enumerate(self.peeked):
            yield f"broker message {index}", raw


@contextmanager
def capture_celery() -> Iterator[CeleryCapture]:
    capture = CeleryCapture()
    before_task_publish.connect(capture.on_publish, weak=False)
    try:
        yield capture
    finally:
        before_task_publish.disconnect(capture.on_publish)


def _decoded(raw: bytes | str) -> str:
    """A kombu message as stored, with its base64 body decoded alongside."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    try:
        envelope = json.loads(text)
    except ValueError:
        return text
    body = envelope.get("body") if isinstance(envelope, dict) else None
    if isinstance(body, str) and envelope.get("properties", {}).get("body_encoding") == "base64":
        text += "\n" + base64.b64decode(body).decode("utf-8", "replace")
    return text


def broker_messages() -> list[str]:
    """Every message waiting in the broker: Redis lists of the broker's database, or the filesystem queue."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("redis"):
        import redis

        client = redis.Redis.from_url(url)
        found = []
        for key in client.scan_iter():
            if client.type(key) == b"list":
                found.extend(_decoded(raw) for raw in client.lrange(key, 0, -1))
        return found
    if url.startswith("filesystem"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        return [_decoded(path.read_bytes()) for path in sorted(folder.glob("*.msg"))]
    raise AssertionError(f"no way to read the messages of broker {urlsplit(url).scheme}")


def redis_texts() -> Iterator[tuple[str, str]]:
    """Every key and value in the Redis databases of the broker and the cache (the broker's unacked hash too)."""
    import redis

    urls = {
        u
        for u in (settings.CELERY_BROKER_URL, settings.CACHES["default"].get("LOCATION"))
        if isinstance(u, str) and u.startswith("redis")
    }
    for url in urls:
        client = redis.Redis.from_url(url)
        for key in client.scan_iter():
            kind = client.type(key)
            if kind == b"string":
                values = [client.get(key)]
            elif kind == b"list":
                values = client.lrange(key, 0, -1)
            elif kind == b"hash":
                values = [b"%s=%s" % item for item in client.hgetall(key).items()]
            elif kind == b"set":
                values = list(client.smembers(key))
            elif kind == b"zset":
                values = [member for member, _ in client.zrange(key, 0, -1, withscores=True)]
            else:
                values = []
            for value in values:
                yield f"redis {url.rsplit('/', 1)[-1]} {key!r}", repr(key) + _decoded(value or b"") + repr(value)


# -- the database -----------------------------------------------------------------------------------------------------
def encrypted() -> set[tuple[str, str]]:
    """(table, column) of every encrypted field, as ``rotate_encryption_keys`` finds them."""
    return {(table, column) for table, _pk, column in encrypted_columns()}


def database_texts() -> Iterator[tuple[str, str]]:
    """Every column of every table but the encrypted ones, cast to text by the database, row by row; Django
    sessions also decoded."""
    skip = encrypted()
    assert ("integrations_connection", "credentials") in skip
    qn = db.ops.quote_name
    with db.cursor() as cursor:
        for table in db.introspection.table_names(cursor):
            columns = [c.name for c in db.introspection.get_table_description(cursor, table)]
            kept = [c for c in columns if (table, c) not in skip]
            if not kept:
                continue
            casts = ", ".join(f"CAST({qn(c)} AS TEXT)" for c in kept)
            cursor.execute(f"SELECT {casts} FROM {qn(table)}")  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                for column, value in zip(kept, row, strict=True):
                    if value:
                        yield f"{table}.{column}", value
    for session in apps.get_model("sessions", "Session").objects.all():
        yield f"django_session {session.pk} decoded", repr(SessionStore().decode(session.session_data))


def encrypted_values(of_table: str | None = None) -> list[str]:
    """The encrypted columns' values as stored (of one table, if given)."""
    qn = db.ops.quote_name
    with db.cursor() as cursor:
        values = []
        for table, column in sorted(e for e in encrypted() if of_table is None or e[0] == of_table):
            cursor.execute(f"SELECT CAST({qn(column)} AS TEXT) FROM {qn(table)}")  # noqa: S608 - constant names
            values.extend(row[0] for row in cursor.fetchall())
    return values


# -- pages ------------------------------------------------------------------------------------------------------------
CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")
PER_PATH = 3  # query-string variations of one page (filters, sorting, pages) visited at most
HREF = re.compile(r"""(?:href|action|hx-get|src)=["']([^"'#]+)""")


def response_text(response: Any) -> str:
    """What a response carries, as text: the page or JSON, a streamed CSV, the XML inside an XLSX, a PDF's text."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(PDF_MAGIC):
        return pdf_text(content)
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return content.decode("utf-8", "replace")


def _route_patterns(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = str(pattern.pattern)
        if route.startswith("^") or "(?P" in route:
            continue  # regular-expression routes (static files) are not pages
        if isinstance(pattern, URLResolver):
            yield from _route_patterns(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            yield prefix + route


def _fill(route: str, values: dict[str, list[str]]) -> Iterator[str]:
    match = CONVERTER.search(route)
    if match is None:
        yield "/" + route
        return
    kind, name = match["kind"] or "str", match["name"]
    for value in values.get(name) or values.get(kind, []):
        yield from _fill(route[: match.start()] + str(value) + route[match.end() :], values)


def crawl(
    client: Client, values: dict[str, list[str]], *, limit: int = 400, seen: Callable[[str, str], None]
) -> list[str]:
    """GET every route of the URL configuration (parameters filled from ``values``, by name, else by converter)
    and every same-site link on the pages found, up to ``limit`` pages. ``seen(url, text)`` is told of each answer
    (body and headers). Returns the URLs visited."""
    queue = [url for route in _route_patterns(get_resolver().url_patterns) for url in _fill(route, values)]
    visited: list[str] = []
    done: set[str] = set()
    per_path: dict[str, int] = {}
    started = time.monotonic()
    while queue and len(visited) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in done or path.startswith(("/static/", "/logout")) or per_path.get(path, 0) >= PER_PATH:
            continue
        done.add(url)
        per_path[path] = per_path.get(path, 0) + 1
        response = client.get(url)
        visited.append(url)
        body = response_text(response)
        seen(url, "".join(f"{k}: {v}\n" for k, v in response.items()) + body)
        if response.get("Content-Type", "").startswith("text/html"):
            for link in HREF.findall(body):
                target = urljoin(url, link.replace("&amp;", "&"))
                if target.startswith("/") and target not in done:
                    queue.append(target)
    assert time.monotonic() - started < 120, "the crawl took too long"
    return visited
