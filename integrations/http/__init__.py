"""The HTTP base every provider's client builds on: one transport with timeouts, retries with backoff, adaptive
concurrency, call counting and request logging, whatever the provider speaks over it.

A provider keeps what is its own (authentication, endpoints, parsing, its error codes and its words) and hands the
rest to :class:`HttpTransport`. Secrets never reach a log or an error through it: it logs the path template, never a
URL with its values, a header or a body (``monitr.logs`` redacts what other libraries log), and provider text that
ends up on an error goes through :func:`integrations.errors.redact`.
"""

from __future__ import annotations

from .concurrency import AdaptiveLimiter, fetch_concurrently
from .metrics import CallCounter
from .retry import RetryPolicy, parse_retry_after
from .transport import USER_AGENT, Answer, FailureMessages, HttpTransport, Response, Timeouts, new_pool, new_session

__all__ = [
    "USER_AGENT",
    "AdaptiveLimiter",
    "Answer",
    "CallCounter",
    "FailureMessages",
    "HttpTransport",
    "Response",
    "RetryPolicy",
    "Timeouts",
    "fetch_concurrently",
    "new_pool",
    "new_session",
    "parse_retry_after",
]
