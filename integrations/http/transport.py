"""The one place where a provider's HTTP clients send requests: timeouts, retries, rate limiting, counting, logging.

A provider's clients (a REST client, or an RPC client through its library's own transport hook) send every request
through :meth:`HttpTransport.send`. Per attempt it waits for a slot of the :class:`~.concurrency.AdaptiveLimiter`, sends
with a connect and a read timeout, turns network failures, 429 and 5xx into
:class:`~integrations.errors.TransientError` (retried by the :class:`~.retry.RetryPolicy`), counts the call per
endpoint, and logs one request event: protocol, method, path template, status, duration, attempt, outcome.
Bodies, headers and URLs with values are never logged.

It sends on one of two connection pools, with the same policies: urllib3's own (:func:`new_pool`), for a client that
speaks HTTP itself (a REST client: about half the CPU per call of ``requests`` on top of the same pool, 0.25 against
0.45 ms, and a fetch of thousands of calls is bound by it), or a ``requests`` session (:func:`new_session`), for a
library that wants one (zeep, for SOAP).

What stays with the provider: authentication, parsing, its error codes, and the words of :class:`FailureMessages`
(it names its own service) and of the log event.
"""

from __future__ import annotations

import contextlib
import functools
import json as jsonlib
import os
import ssl
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
import certifi
import requests
import structlog
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import DecodeError, HTTPError, NewConnectionError
from urllib3.exceptions import TimeoutError as PoolTimeout

from integrations.errors import GarbledResponse, IntegrationError, RateLimited, TransientError

from .budget import SCHEDULED, SharedBudget, Ticket
from .concurrency import AdaptiveLimiter
from .metrics import CallCounter
from .retry import RetryPolicy, parse_retry_after

USER_AGENT = "Monitr"


@dataclass(frozen=True, slots=True)
class FailureMessages:
    """What the user reads when a request fails on the way, in the provider's words; by default the neutral ones."""

    transient: str = TransientError.default_message
    rate_limited: str = RateLimited.default_message
    garbled: str = GarbledResponse.default_message


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds to wait for a connection and for each read of the answer."""

    connect: float = 5.0
    read: float = 60.0


class Answer(Protocol):
    """What a caller reads of an answer, whichever pool it came through (a ``requests.Response`` is one too)."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Response:
    """An answer that came through urllib3's pool: its status, headers (case-insensitive) and whole body."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def text(self) -> str:
        content_type = self.headers.get("Content-Type", "")
        charset = next(
            (part.split("=", 1)[1].strip(' "') for part in content_type.split(";") if "charset=" in part.lower()),
            "utf-8",
        )
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:  # a charset Python does not know
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return jsonlib.loads(self.content)


Pool = requests.Session | urllib3.PoolManager


def new_pool(pool_size: int, *, base_url: str) -> urllib3.PoolManager:
    """urllib3's connection pool holding ``pool_size`` connections per host, for a client of ``base_url``.

    The environment's settings for ``base_url`` are read here, once, as ``requests`` reads them: the proxy
    (``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY``, unless ``NO_PROXY`` names the host; its user and password become
    ``Proxy-Authorization``) and the CA bundle (``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``, else certifi's, the
    one ``requests`` uses). A ``.netrc`` login is deliberately not used: a connection's credentials are the ones it
    stores, never a file's. Redirects are not followed (the APIs do not redirect, and a redirect would carry the
    session token along); urllib3 retries nothing itself: :class:`HttpTransport` does.
    """
    ca_bundle, proxy = _environment(base_url)
    options: dict[str, Any] = {
        "num_pools": 2,
        "maxsize": pool_size,
        "block": False,
        "retries": False,
        "cert_reqs": "CERT_REQUIRED",
        ("ca_cert_dir" if os.path.isdir(ca_bundle) else "ca_certs"): ca_bundle,
    }
    if not proxy:
        return urllib3.PoolManager(**options)
    if proxy.lower().startswith("socks"):
        from urllib3.contrib.socks import SOCKSProxyManager  # needs PySocks, as requests does for a SOCKS proxy

        return SOCKSProxyManager(proxy, **options)
    username, password = requests.utils.get_auth_from_url(proxy)
    proxy_headers = urllib3.util.make_headers(proxy_basic_auth=f"{username}:{password}") if username else None
    return urllib3.ProxyManager(proxy, proxy_headers=proxy_headers, **options)


def _environment(base_url: str) -> tuple[str, str | None]:
    """The CA bundle and the proxy (or None) for ``base_url``, read from the environment as ``requests`` reads them."""
    ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or certifi.where()
    return ca_bundle, requests.utils.select_proxy(base_url, requests.utils.get_environ_proxies(base_url))


def new_async_sender(pool_size: int, *, base_url: str) -> AsyncSender | None:
    """An :class:`AsyncSender` for a client of ``base_url`` with the same environment as :func:`new_pool`; None
    behind a SOCKS proxy, which aiohttp does not speak (the client then sends on threads)."""
    ca_bundle, proxy = _environment(base_url)
    if proxy and proxy.lower().startswith("socks"):
        return None
    return AsyncSender(pool_size, ca_bundle=ca_bundle, proxy=proxy)


def new_session(pool_size: int, *, base_url: str | None = None) -> requests.Session:
    """A ``requests.Session`` whose connection pool holds ``pool_size`` connections per host, for a library that
    sends through ``requests`` (zeep). A client that speaks HTTP itself uses :func:`new_pool`.

    The concurrent fetch runs as many threads as the pool holds, so no thread waits for, or throws away, a
    connection.

    With ``base_url`` the environment's settings for it (``HTTPS_PROXY``/``NO_PROXY``, ``REQUESTS_CA_BUNDLE``) are
    read once, here, instead of on every request: requests re-reads the environment and looks for a ``.netrc``
    file per request, a third of its own time per call, and a client speaks to one host only. (A ``.netrc``
    login is deliberately not used: a connection's credentials are the ones it stores, never a file's.)
    """
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    if base_url is not None:
        session.proxies.update(requests.utils.get_environ_proxies(base_url))
        session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        session.trust_env = False
    return session


class _NoAnswer(Exception):
    """A request that got no answer, in a word ("timeout", "connection error", "undecodable"). It holds nothing of
    the request: the libraries' own errors carry the URL, and requests' the prepared request with its headers."""


class _PoolSender:
    """Sends on urllib3's pool. The headers every request carries are merged in here: urllib3 replaces its
    default headers with a request's own instead of adding them."""

    HEADERS = {"User-Agent": USER_AGENT, **urllib3.util.make_headers(accept_encoding=True)}

    def __init__(self, pool: urllib3.PoolManager) -> None:
        self.pool = pool
        self._timeouts: dict[Timeouts, urllib3.Timeout] = {}

    def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | str | None, json: Any, timeouts: Timeouts
    ) -> Response:
        merged = {**self.HEADERS, **headers}
        if json is not None:
            body = jsonlib.dumps(json, allow_nan=False).encode()
            merged["Content-Type"] = "application/json"
        timeout = self._timeouts.get(timeouts)
        if timeout is None:
            timeout = self._timeouts[timeouts] = urllib3.Timeout(connect=timeouts.connect, read=timeouts.read)
        try:
            answer = self.pool.urlopen(
                method, url, body=body, headers=merged, timeout=timeout, retries=False, redirect=False
            )
        # ``from None`` throughout: urllib3's errors name the URL, and a URL may hold values.
        except NewConnectionError:  # refused, unreachable, no such host (a ConnectTimeoutError by inheritance)
            raise _NoAnswer("connection error") from None
        except PoolTimeout:
            raise _NoAnswer("timeout") from None
        except DecodeError:
            raise _NoAnswer("undecodable") from None
        except HTTPError:  # reset, cut short, TLS, the proxy
            raise _NoAnswer("connection error") from None
        return Response(answer.status, answer.headers, answer.data)

    def close(self) -> None:
        self.pool.clear()


class _SessionSender:
    """Sends through a ``requests`` session (the one a library such as zeep holds)."""

    def __init__(self, session: requests.Session) -> None:
        self.session = session

    def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | str | None, json: Any, timeouts: Timeouts
    ) -> requests.Response:
        try:
            return self.session.request(
                method, url, headers=headers, data=body, json=json, timeout=(timeouts.connect, timeouts.read)
            )
        # ``from None`` throughout: the requests exception holds the prepared request, headers and all.
        except requests.Timeout:
            raise _NoAnswer("timeout") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            raise _NoAnswer("connection error") from None
        except requests.exceptions.ContentDecodingError:
            raise _NoAnswer("undecodable") from None

    def close(self) -> None:
        self.session.close()


@functools.cache
def _tls_context(ca_bundle: str) -> ssl.SSLContext:
    """The TLS settings of the async senders with ``ca_bundle``, made once per process: loading a bundle of
    certificates costs tens of milliseconds of CPU, once per sync otherwise (every first import opens a sender). A
    client context is only read once made, so the senders on every thread share it."""
    if os.path.isdir(ca_bundle):
        return ssl.create_default_context(capath=ca_bundle)
    return ssl.create_default_context(cafile=ca_bundle)


class AsyncSender:
    """Sends on an aiohttp session, from the client's event loop (:mod:`.aio`), with the pool's settings: at most
    ``pool_size`` connections, the CA bundle and proxy of :func:`new_pool`, no redirects, no retries of its own.
    The session is opened on the loop by the first request and closed there by :meth:`close`."""

    def __init__(self, pool_size: int, *, ca_bundle: str, proxy: str | None) -> None:
        self.pool_size = pool_size
        self.ca_bundle = ca_bundle
        self.proxy = proxy
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.pool_size, ssl=_tls_context(self.ca_bundle)),
                headers={"User-Agent": USER_AGENT},
                trust_env=False,  # the environment was read once, in new_async_sender
            )
        return self._session

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | str | None, json: Any, timeouts: Timeouts
    ) -> Response:
        timeout = aiohttp.ClientTimeout(total=None, connect=timeouts.connect, sock_read=timeouts.read)
        try:
            async with self._client().request(
                method,
                url,
                headers=headers,
                data=body,
                json=json,
                timeout=timeout,
                allow_redirects=False,
                proxy=self.proxy,
            ) as answer:
                return Response(answer.status, answer.headers, await answer.read())
        # ``from None`` throughout: aiohttp's errors name the URL, and a URL may hold values.
        except TimeoutError:
            raise _NoAnswer("timeout") from None
        except aiohttp.ClientError:  # refused, reset, cut short (a payload error), TLS, the proxy
            raise _NoAnswer("connection error") from None

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


class _Unreadable(TransientError):
    """A 200 answer whose body is not what was asked for: cut short, or an HTML page a proxy put in its place.
    Sent again like a network failure; when every attempt gets one, it is a garbled answer."""


@dataclass(slots=True)
class _Attempt:
    status: int | None = None


class _HeadersFailed(Exception):
    """Evaluating a call's headers (opening its session) failed: not retried as the call, re-raised as it was."""

    def __init__(self, error: IntegrationError) -> None:
        super().__init__(type(error).__name__)
        self.error = error


class HttpTransport:
    """Sends requests with the policies above; protocol details (auth, parsing) stay with the callers.

    ``session`` is the connection pool it sends on: urllib3's (:func:`new_pool`; answers are :class:`Response`) or a
    ``requests`` session (:func:`new_session`; answers are ``requests.Response``). ``messages`` are the provider's
    words for failures on the way; ``logger`` and ``event`` name the log event each attempt writes (a provider's
    own, so its requests are found under its name)."""

    def __init__(
        self,
        *,
        protocol: str,
        session: Pool,
        timeouts: Timeouts,
        retry: RetryPolicy,
        limiter: AdaptiveLimiter,
        counter: CallCounter,
        messages: FailureMessages = FailureMessages(),
        logger: structlog.stdlib.BoundLogger | None = None,
        event: str = "http.request",
        async_sender: AsyncSender | None = None,
        budget: SharedBudget | None = None,
        budget_key: str = "",
        priority: int = SCHEDULED,
        since: float | None = None,
    ) -> None:
        self.protocol = protocol
        # Called with the endpoint before every attempt (retries too), to refuse one the provider would not allow
        # (a monthly call limit): it raises an IntegrationError, which is not retried.
        self.guard: Callable[[str], None] | None = None
        # The budget every process shares towards the source (None: this client's limiter alone bounds it), the
        # credential's name in it (never the credential), and the priority of the sync this client serves and since
        # when it runs (seconds since the epoch: its seniority in the budget, see SharedBudget._rank_of).
        self.budget, self.budget_key, self.priority, self.since = budget, budget_key, priority, since
        self.async_sender = async_sender
        self.session = session
        self._sender = _PoolSender(session) if isinstance(session, urllib3.PoolManager) else _SessionSender(session)
        self.timeouts = timeouts
        self.retry = retry
        self.limiter = limiter
        self.counter = counter
        self.messages = messages
        self.logger = logger or structlog.stdlib.get_logger("integrations.http")
        self.event = event

    def send(
        self,
        method: str,
        url: str,
        *,
        endpoint: str,
        headers: Callable[[], Mapping[str, str]] | Mapping[str, str] | None = None,
        is_answer: Callable[[Any], bool] | None = None,
        readable: Callable[[Any], bool] | None = None,
        json: Any = None,
        body: bytes | str | None = None,
        limited: bool = True,
    ) -> Any:
        """Send until an answer that is not transient arrives, or the retries run out.

        ``endpoint`` names the call for counting and logging: a path template (``"/v1/mutation/{id}"``) or an
        operation's name (``"GetItems"``).
        ``headers`` may be a callable, evaluated per attempt, so a renewed session token is picked up.
        ``is_answer`` lets a caller claim a 5xx as a real answer (an RPC protocol's fault may arrive with status 500).
        ``readable`` tells whether a 200's body is whole (it may keep what it parsed); one that is not is asked
        for again, and a :class:`~integrations.errors.GarbledResponse` only when every attempt got one.
        ``json`` is sent as a JSON body, ``body`` as it is. The answer is the pool's (see the class).
        ``limited=False`` sends without a slot of the limiter: for the request that opens a session, which requests
        holding slots may be waiting for (see :meth:`send_async`).
        """
        with self._final(endpoint):
            return self.retry.run(
                lambda attempt: self._attempt(
                    method, url, endpoint, headers, is_answer, readable, attempt, json, body, limited
                )
            )
        raise AssertionError("unreachable")  # _final re-raises; for the type checker

    async def send_async(
        self,
        method: str,
        url: str,
        *,
        endpoint: str,
        headers: Callable[[], Awaitable[Mapping[str, str]]] | Mapping[str, str] | None = None,
        readable: Callable[[Any], bool] | None = None,
        json: Any = None,
        body: bytes | str | None = None,
    ) -> Response:
        """:meth:`send` from the client's event loop, on the :class:`AsyncSender`: the same timeouts, retries,
        limiter (its budget shared with requests sent on threads), counting and log event. ``headers`` may be a
        coroutine function, awaited per attempt."""
        if self.async_sender is None:
            raise RuntimeError("this transport has no async sender")
        sender = self.async_sender

        async def attempt(number: int) -> Response:
            async with self.limiter.slot_async():
                # Read once the request has its slot, not before: a fetch queues all its requests in the limiter
                # at once, and one that waited there must send the session renewed meanwhile, not the one that
                # ended. (Opening a session takes no slot, so this cannot wait for itself.)
                try:
                    request_headers = dict(await headers() if callable(headers) else headers or {})
                except IntegrationError as error:
                    raise _HeadersFailed(error) from None
                with self._recorded(method, endpoint, number) as call:
                    async with self._shared_slot_async() as ticket:
                        with self._answered(endpoint):
                            response = await sender.send(method, url, request_headers, body, json, self.timeouts)
                    call.status = response.status_code
                    self._judge(endpoint, response, None, readable, ticket)
                    return response

        with self._final(endpoint):
            return await self.retry.run_async(attempt)
        raise AssertionError("unreachable")  # _final re-raises; for the type checker

    def _attempt(
        self,
        method: str,
        url: str,
        endpoint: str,
        headers: Callable[[], Mapping[str, str]] | Mapping[str, str] | None,
        is_answer: Callable[[Any], bool] | None,
        readable: Callable[[Any], bool] | None,
        attempt: int,
        json: Any,
        body: bytes | str | None,
        limited: bool = True,
    ) -> Any:
        # Evaluated per attempt (a renewed session token is picked up) and before the clock starts: opening a
        # session is a request of its own, counted and logged as such.
        try:
            request_headers = dict(headers() if callable(headers) else headers or {})
        except IntegrationError as error:
            # Opening the session failed after its own retries: this call's attempts must not start them over
            # (four attempts of the call times four of the session), so the error leaves the retry loop at once.
            raise _HeadersFailed(error) from None
        if self.guard is not None:
            self.guard(endpoint)
        with self._recorded(method, endpoint, attempt) as call:
            # The shared budget is taken after the client's own slot, and nothing waits for anything while holding
            # it: opening a session (``limited=False``) takes a shared slot too, and so cannot wait for itself.
            with (
                self.limiter.slot() if limited else nullcontext(),
                self._shared_slot() as ticket,
                self._answered(endpoint),
            ):
                response = self._sender.send(method, url, request_headers, body, json, self.timeouts)
            call.status = response.status_code
            self._judge(endpoint, response, is_answer, readable, ticket)
            return response

    def _shared_slot(self) -> contextlib.AbstractContextManager[Ticket | None]:
        if self.budget is None:
            return nullcontext()
        return self.budget.slot(self.budget_key, self.priority, self.since)

    def _shared_slot_async(self) -> contextlib.AbstractAsyncContextManager[Ticket | None]:
        if self.budget is None:
            return nullcontext()
        return self.budget.slot_async(self.budget_key, self.priority, self.since)

    @contextmanager
    def _final(self, endpoint: str) -> Iterator[None]:
        """What leaves the retries: the last unreadable answer as garbled, a failed session as it was."""
        try:
            yield
        except _Unreadable:
            raise self._garbled(endpoint, "the answer was cut short or not what was asked for", status=200) from None
        except _HeadersFailed as failed:
            raise failed.error from None

    @contextmanager
    def _answered(self, endpoint: str) -> Iterator[None]:
        """A request that got no answer becomes the error the retry policy knows."""
        try:
            yield
        except _NoAnswer as failed:
            if str(failed) == "undecodable":
                raise self._garbled(endpoint, "the answer could not be decoded") from None
            raise TransientError(self.messages.transient, title=str(failed), endpoint=endpoint) from None

    @contextmanager
    def _recorded(self, method: str, endpoint: str, attempt: int) -> Iterator[_Attempt]:
        """Count the attempt and write its log event, whatever its outcome."""
        call = _Attempt()
        started = time.perf_counter()
        outcome = "ok"
        try:
            yield call
        except Exception as error:
            outcome = type(error).__name__
            raise
        finally:
            # A path template counts with its method ("GET /v1/mutation/{id}"); an operation by its name.
            self.counter.add(f"{method} {endpoint}" if endpoint.startswith("/") else endpoint)
            self.logger.info(
                self.event,
                protocol=self.protocol,
                method=method,
                path=endpoint,
                status=call.status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
                attempt=attempt,
                outcome=outcome,
            )

    def _judge(
        self,
        endpoint: str,
        response: Any,
        is_answer: Callable[[Any], bool] | None,
        readable: Callable[[Any], bool] | None,
        ticket: Ticket | None = None,
    ) -> None:
        """Raise for an answer that is to be tried again (429, 5xx, a 200 that is not whole); else count a success."""
        status = response.status_code
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            capped = None if retry_after is None else min(retry_after, self.retry.max_retry_after)
            self.limiter.record_rate_limited(capped)
            if self.budget is not None:
                # Every process slows down, not only this sync: the source throttles all of Monitr together.
                self.budget.rate_limited(ticket, capped)
            raise RateLimited(self.messages.rate_limited, retry_after=retry_after, status=status, endpoint=endpoint)
        if status >= 500 and not (is_answer and is_answer(response)):
            raise TransientError(self.messages.transient, status=status, endpoint=endpoint)
        if status == 200 and readable is not None and not readable(response):
            raise _Unreadable(self.messages.garbled, status=status, endpoint=endpoint)
        self.limiter.record_success()
        if self.budget is not None:
            self.budget.succeeded()

    def close(self) -> None:
        """Release the pool's connections."""
        self._sender.close()

    def _garbled(self, endpoint: str, reason: str, *, status: int | None = None) -> GarbledResponse:
        # ``reason`` says what was wrong with the answer, never a value from it.
        return GarbledResponse(self.messages.garbled, title=reason, endpoint=endpoint, status=status)
