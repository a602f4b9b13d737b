"""Answers for requests sent on urllib3's pool, registered the way ``responses`` registers them for ``requests``.

The REST clients send on urllib3's connection pool directly (``integrations.http.new_pool``), which ``responses``
does not see: it mocks ``requests`` only. The libraries that do mock urllib3 either register differently (pook) or
fake the sockets (mocket, httpretty, the latter unmaintained); written here instead, this keeps the tests'
registrations exactly as they were with ``responses``, so the same tests run against either pool
(``tests/integrations/http/test_transport.py`` runs every one on both). The subset the tests use:

    mocked.get(url, json=... | body=... | status=..., headers=..., match=[...])  -> the registered answer (.calls,
        .call_count); ``match`` takes responses' own matchers (``responses.matchers.header_matcher``)
    mocked.add_callback(method, url, callback=lambda request: (status, headers, body))
    mocked.calls  -> every call: .request (.method, .url, .headers, .body, .params) and .response

As with ``responses``: an URL matches on scheme, host and path, and on its query too when the registered one has
one; of several answers registered for the same request the first is used up and the last stays; a ``body`` that
is an exception is raised instead of answering; a request nothing matches fails the test. It replaces
``urllib3.PoolManager.urlopen`` (a ``ProxyManager``'s too), so everything above it runs as it does in production:
the headers merged, the JSON body encoded, urllib3's answer read whole. Requests a client sends from its event loop
(``AsyncSender``, the REST detail fetch) are answered from the same registrations, through the pool's sender, so
everything above the sender (the async retry, limiter and session renewal) runs as in production too; a callback
runs on the loop's thread, so it must not block.
"""

from __future__ import annotations

import json as jsonlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import urllib3
from urllib3 import HTTPHeaderDict

from integrations.http.transport import AsyncSender, Response, Timeouts, _PoolSender


@dataclass
class Request:
    method: str
    url: str
    headers: HTTPHeaderDict
    body: bytes | None

    @property
    def params(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.url).query))


@dataclass
class Call:
    request: Request
    response: urllib3.BaseHTTPResponse | None


@dataclass
class Registered:
    method: str
    url: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | BaseException = b""
    callback: Callable[[Request], tuple[int, dict[str, str], str | bytes]] | None = None
    # responses' matchers (``responses.matchers.header_matcher(...)``): each tells whether a request is this one's.
    match: Sequence[Callable[[Any], tuple[bool, str]]] = ()
    calls: list[Call] = field(default_factory=list)

    @property
    def call_count(self) -> int:
        return len(self.calls)

    def matches(self, request: Request) -> bool:
        if request.method != self.method:
            return False
        mine, theirs = urlsplit(self.url), urlsplit(request.url)
        if (mine.scheme, mine.netloc, mine.path or "/") != (theirs.scheme, theirs.netloc, theirs.path or "/"):
            return False
        if mine.query and sorted(parse_qsl(mine.query)) != sorted(parse_qsl(theirs.query)):
            return False
        return all(matcher(request)[0] for matcher in self.match)

    def answer(self, request: Request) -> urllib3.BaseHTTPResponse:
        if self.callback is not None:
            status, headers, body = self.callback(request)
        else:
            if isinstance(self.body, BaseException):
                raise self.body
            status, headers, body = self.status, self.headers, self.body
        content = body.encode() if isinstance(body, str) else body
        return urllib3.HTTPResponse(body=content, status=status, headers=headers, preload_content=True)


class PoolMock:
    def __init__(self) -> None:
        self._registered: list[Registered] = []
        self._lock = threading.Lock()
        self.calls: list[Call] = []

    def add(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        body: str | bytes | BaseException = b"",
        status: int = 200,
        headers: dict[str, str] | None = None,
        content_type: str | None = None,
        match: Sequence[Callable[[Any], tuple[bool, str]]] = (),
    ) -> Registered:
        headers = dict(headers or {})
        if json is not None:
            body = jsonlib.dumps(json)
            headers.setdefault("Content-Type", content_type or "application/json")
        elif not isinstance(body, BaseException):
            headers.setdefault("Content-Type", content_type or "text/plain")
        registered = Registered(
            method, url, status, headers, body.encode() if isinstance(body, str) else body, match=match
        )
        with self._lock:
            self._registered.append(registered)
        return registered

    def get(self, url: str, **options: Any) -> Registered:
        return self.add("GET", url, **options)

    def post(self, url: str, **options: Any) -> Registered:
        return self.add("POST", url, **options)

    def delete(self, url: str, **options: Any) -> Registered:
        return self.add("DELETE", url, **options)

    def add_callback(
        self, method: str, url: str, callback: Callable[[Request], tuple[int, dict[str, str], str | bytes]]
    ) -> Registered:
        registered = Registered(method, url, callback=callback)
        with self._lock:
            self._registered.append(registered)
        return registered

    def _urlopen(self, pool: urllib3.PoolManager, method: str, url: str, redirect: bool = True, **kw: Any):
        body = kw.get("body")
        request = Request(
            method, url, HTTPHeaderDict(kw.get("headers") or {}), body.encode() if isinstance(body, str) else body
        )
        with self._lock:
            found = [r for r in self._registered if r.matches(request)]
            if len(found) > 1:
                self._registered.remove(found[0])
        if not found:
            raise AssertionError(f"no answer registered for {method} {url}")
        call = Call(request, None)
        with self._lock:
            self.calls.append(call)
            found[0].calls.append(call)
        call.response = found[0].answer(request)
        return call.response


@contextmanager
def pool_mock() -> Iterator[PoolMock]:
    """Answers every request sent on a urllib3 pool from the registrations, for the block's duration."""
    mocked = PoolMock()

    def urlopen(pool: urllib3.PoolManager, method: str, url: str, redirect: bool = True, **kw: Any):
        return mocked._urlopen(pool, method, url, redirect, **kw)

    async def send_async(
        sender: AsyncSender, method: str, url: str, headers: Any, body: Any, json: Any, timeouts: Timeouts
    ) -> Response:
        return _PoolSender(urllib3.PoolManager()).send(method, url, headers, body, json, timeouts)

    with mock.patch.object(urllib3.PoolManager, "urlopen", urlopen), mock.patch.object(AsyncSender, "send", send_async):
        yield mocked
