"""How the e-Boekhouden clients use Monitr's HTTP base (:mod:`integrations.http`): with e-Boekhouden's words for
failures on the way, and one ``eboekhouden.request`` log event per attempt.

Both the REST client and the SOAP client (through its zeep transport) send every request through the
:class:`~integrations.http.HttpTransport` made here; its timeouts, retries, adaptive limiter and counting are the
base's. REST sends on urllib3's connection pool, and its detail calls on aiohttp from an event loop; SOAP on the
``requests`` session zeep holds.
"""

from __future__ import annotations

import hashlib
import hmac

import structlog

from integrations.http import AdaptiveLimiter, CallCounter, FailureMessages, HttpTransport, RetryPolicy, Timeouts
from integrations.http.budget import SCHEDULED, BudgetLimits, SharedBudget, shared_budget
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
    credential: str = "",
    priority: int = SCHEDULED,
    since: float | None = None,
) -> HttpTransport:
    """The transport of one client: at most ``max_parallel`` requests in flight, pausing with ``retry.sleep`` (and
    ``retry.pause_async`` on an event loop), within the budget all of Monitr shares towards e-Boekhouden (when
    there is one), where ``credential`` (the API key or the login) is one client of the source, asking at
    ``priority`` for a run that started ``since``."""
    budget = eboekhouden_budget()
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
        budget=budget,
        budget_key=credential_key(protocol, credential) if budget is not None else "",
        priority=priority,
        since=since,
    )


def eboekhouden_budget() -> SharedBudget | None:
    """The budget every worker process shares towards e-Boekhouden (settings ``EBOEKHOUDEN_MAX_IN_FLIGHT``,
    ``EBOEKHOUDEN_MAX_PARALLEL`` per key, ``EBOEKHOUDEN_MAX_RATE``); None without Redis or outside Django."""
    from .gateway import _setting, max_parallel_setting

    redis_url = _setting("MONITR_BUDGET_REDIS_URL", "")
    if not redis_url:
        return None
    limits = BudgetLimits(
        total=int(_setting("EBOEKHOUDEN_MAX_IN_FLIGHT", 64)),
        per_key=max_parallel_setting(),
        rate=float(_setting("EBOEKHOUDEN_MAX_RATE", 0.0)),
    )
    return shared_budget("eboekhouden", limits, redis_url=redis_url)


def credential_key(protocol: str, credential: str) -> str:
    """The name a credential goes by in the shared budget: a keyed hash, so Redis never holds the key itself."""
    from .gateway import _setting

    secret = str(_setting("SECRET_KEY", "monitr")).encode()
    digest = hmac.new(secret, credential.encode(), hashlib.sha256).hexdigest()[:16]
    return f"{protocol}:{digest}"
