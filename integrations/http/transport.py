"""The one place where a provider's HTTP clients send requests: timeouts, retries, rate limiting, counting, logging.

A provider's clients (a REST client, or an RPC client through its library's own transport hook) send every request
through :meth:`HttpTransport.send`. Per attempt it waits for a slot of the :class:`~.concurrency.AdaptiveLimiter`, sends
with a connect and a read timeout, turns network failures, 429 and 5xx into
:class:`~integrations.errors.TransientError` (retried by the :class:`~.retry.RetryPolicy`), counts the call per
endpoint, and logs one request event: protocol, method, path template, status, duration, attempt, outcome.
Bodies, headers and URLs with values are never logged.

What stays with the provider: authentication, parsing, its error codes, and the words of :class:`FailureMessages`
(it names its own service) and of the log event.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
import structlog
from requests.adapters import HTTPAdapter

from integrations.errors import GarbledResponse, IntegrationError, RateLimited, TransientError

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


def new_session(pool_size: int, *, base_url: str | None = None) -> requests.Session:
    """A ``requests.Session`` whose connection pool holds ``pool_size`` connections per host.

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


class _Unreadable(TransientError):
    """A 200 answer whose body is not what was asked for: cut short, or an HTML page a proxy put in its place.
    Sent again like a network failure; when every attempt gets one, it is a garbled answer."""


class _HeadersFailed(Exception):
    """Evaluating a call's headers (opening its session) failed: not retried as the call, re-raised as it was."""

    def __init__(self, error: IntegrationError) -> None:
        super().__init__(type(error).__name__)
        self.error = error


class HttpTransport:
    """Sends requests with the policies above; protocol details (auth, parsing) stay with the callers.

    ``messages`` are the provider's words for failures on the way; ``logger`` and ``event`` name the log event
    each attempt writes (a provider's own, so its requests are found under its name)."""

    def __init__(
        self,
        *,
        protocol: str,
        session: requests.Session,
        timeouts: Timeouts,
        retry: RetryPolicy,
        limiter: AdaptiveLimiter,
        counter: CallCounter,
        messages: FailureMessages = FailureMessages(),
        logger: structlog.stdlib.BoundLogger | None = None,
        event: str = "http.request",
    ) -> None:
        self.protocol = protocol
        self.session = session
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
        is_answer: Callable[[requests.Response], bool] | None = None,
        readable: Callable[[requests.Response], bool] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send until an answer that is not transient arrives, or the retries run out.

        ``endpoint`` names the call for counting and logging: a path template (``"/v1/mutation/{id}"``) or an
        operation's name (``"GetItems"``).
        ``headers`` may be a callable, evaluated per attempt, so a renewed session token is picked up.
        ``is_answer`` lets a caller claim a 5xx as a real answer (an RPC protocol's fault may arrive with status 500).
        ``readable`` tells whether a 200's body is whole (it may keep what it parsed); one that is not is asked
        for again, and a :class:`~integrations.errors.GarbledResponse` only when every attempt got one.
        """
        try:
            return self.retry.run(
                lambda attempt: self._attempt(method, url, endpoint, headers, is_answer, readable, attempt, kwargs)
            )
        except _Unreadable:
            raise self._garbled(endpoint, "the answer was cut short or not what was asked for", status=200) from None
        except _HeadersFailed as failed:
            raise failed.error from None

    def _attempt(
        self,
        method: str,
        url: str,
        endpoint: str,
        headers: Callable[[], Mapping[str, str]] | Mapping[str, str] | None,
        is_answer: Callable[[requests.Response], bool] | None,
        readable: Callable[[requests.Response], bool] | None,
        attempt: int,
        kwargs: dict[str, Any],
    ) -> requests.Response:
        # Evaluated per attempt (a renewed session token is picked up) and before the clock starts: opening a
        # session is a request of its own, counted and logged as such.
        try:
            request_headers = dict(headers() if callable(headers) else headers or {})
        except IntegrationError as error:
            # Opening the session failed after its own retries: this call's attempts must not start them over
            # (four attempts of the call times four of the session), so the error leaves the retry loop at once.
            raise _HeadersFailed(error) from None
        started = time.perf_counter()
        status: int | None = None
        outcome = "ok"
        try:
            with self.limiter.slot():
                try:
                    response = self.session.request(
                        method,
                        url,
                        headers=request_headers,
                        timeout=(self.timeouts.connect, self.timeouts.read),
                        **kwargs,
                    )
                except requests.Timeout:
                    # ``from None``: the requests exception holds the prepared request, headers and all.
                    raise TransientError(self.messages.transient, title="timeout", endpoint=endpoint) from None
                except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
                    raise TransientError(self.messages.transient, title="connection error", endpoint=endpoint) from None
                except requests.exceptions.ContentDecodingError:
                    raise self._garbled(endpoint, "the answer could not be decoded") from None
            status = response.status_code
            if status == 429:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                self.limiter.record_rate_limited(
                    None if retry_after is None else min(retry_after, self.retry.max_retry_after)
                )
                raise RateLimited(self.messages.rate_limited, retry_after=retry_after, status=status, endpoint=endpoint)
            if status >= 500 and not (is_answer and is_answer(response)):
                raise TransientError(self.messages.transient, status=status, endpoint=endpoint)
            if status == 200 and readable is not None and not readable(response):
                raise _Unreadable(self.messages.garbled, status=status, endpoint=endpoint)
            self.limiter.record_success()
            return response
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
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
                attempt=attempt,
                outcome=outcome,
            )

    def _garbled(self, endpoint: str, reason: str, *, status: int | None = None) -> GarbledResponse:
        # ``reason`` says what was wrong with the answer, never a value from it.
        return GarbledResponse(self.messages.garbled, title=reason, endpoint=endpoint, status=status)
