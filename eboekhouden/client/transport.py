"""How the e-Boekhouden clients use Monitr's HTTP base (:mod:`integrations.http`): with e-Boekhouden's words for
failures on the way, and one ``eboekhouden.request`` log event per attempt.

Both the REST client and the SOAP client (through its zeep transport) send every request through the
:class:`~integrations.http.HttpTransport` made here; its timeouts, retries, adaptive limiter and counting are the
base's. REST sends on urllib3's connection pool, and its detail calls on aiohttp from an event loop; SOAP on the
``requests`` session zeep holds.
"""

from __future__ import annotations

import structlog

from integrations.http import AdaptiveLimiter, CallCounter, FailureMessages, HttpTransport, RetryPolicy, Timeouts
from integrations.http.transport import AsyncSender, Pool

from . import errors

logger = structlog.stdlib.get_logger("eboekhouden.client")

MESSAGES = FailureMessages(transient=errors.TRANSIENT, rate_limited=errors.RATE_LIMITED, garbled=errors.GARBLED)


def eboekhouden_transport(
    *,
    protocol: str,
    session: Pool,
    timeouts: Timeouts | None,
    retry: RetryPolicy,
    max_parallel: int,
    counter: CallCounter,
    async_sender: AsyncSender | None = None,
) -> HttpTransport:
    """The transport of one client: at most ``max_parallel`` requests in flight, pausing with ``retry.sleep`` (and
    ``retry.pause_async`` on an event loop)."""
    return HttpTransport(
        protocol=protocol,
        session=session,
        timeouts=timeouts or Timeouts(),
        retry=retry,
        limiter=AdaptiveLimiter(max_parallel, sleep=retry.sleep, async_sleep=retry.pause_async),
        counter=counter,
        messages=MESSAGES,
        logger=logger,
        event="eboekhouden.request",
        async_sender=async_sender,
    )
