"""The e-Boekhouden REST API v1 client and the gateway built on it.

:class:`RestClient` speaks HTTP: it exchanges the API token for a session token (``POST /v1/session`` with a
``source`` matching ``^[\\w_ ]{1,10}$``), sends that token bare in ``Authorization``, renews it shortly before
``expiresIn`` runs out and once on each 401 (a call gives up after three), pages list endpoints at ``limit=2000``
until a short page, and ends the session on :meth:`RestClient.close`.

:class:`RestGateway` turns answers into DTOs and is what the importer uses (see
:mod:`eboekhouden.client.gateway`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import structlog
import urllib3

from integrations.errors import AccessDenied, IntegrationError, NotFound, TransientError
from integrations.http import (
    AdaptiveLimiter,
    Answer,
    CallCounter,
    RetryPolicy,
    Timeouts,
    fetch_concurrently,
    new_pool,
)
from integrations.http.aio import fetch_many, process_loop
from integrations.http.budget import SCHEDULED
from integrations.http.transport import AsyncSender, new_async_sender

from .. import assumptions
from . import errors, parsing
from .dto import (
    Administration,
    ApiTokenCredentials,
    CostCentre,
    Ledger,
    LedgerBalance,
    Mutation,
    MutationHeader,
    OutstandingItem,
    Relation,
    Side,
    Unreadable,
)
from .gateway import DEFAULT_MAX_PARALLEL
from .transport import eboekhouden_transport

logger = structlog.stdlib.get_logger("eboekhouden.client")

SOURCE_PATTERN = re.compile(r"^[\w_ ]{1,10}$")
MAX_PAGE_SIZE = 2000
DEFAULT_SOURCE = "Monitr"
# A call that meets this many 401s in a row, each followed by a renewed session, gives up (transient: the key works).
MAX_UNAUTHORIZED = 3
MUTATION = "/v1/mutation/{id}"
MUTATIONS = "/v1/mutation"
BALANCES = "/v1/ledger/balances"

K = TypeVar("K")
V = TypeVar("V")


def _first_of(date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """The mutation list's parameters for its first item over a window."""
    return {"date[range]": (date_from, date_to), "limit": 1, "offset": 0}


class RestClient:
    """An authenticated HTTP conversation with ``api.e-boekhouden.nl`` (or the sandbox) for one API token.

    Thread-safe: the concurrent detail fetch calls :meth:`get` from several threads at once.
    """

    def __init__(
        self,
        credentials: ApiTokenCredentials,
        *,
        base_url: str,
        source: str = DEFAULT_SOURCE,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        max_parallel: int = DEFAULT_MAX_PARALLEL,
        page_size: int = MAX_PAGE_SIZE,
        renew_margin: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        counter: CallCounter | None = None,
        pool: urllib3.PoolManager | None = None,
        async_sender: AsyncSender | None = None,
        priority: int = SCHEDULED,
        since: float | None = None,
    ) -> None:
        if not SOURCE_PATTERN.match(source):
            # The service refuses it (API_SESSION_002); say so before the first call, not after.
            raise ValueError("source must match ^[\\w_ ]{1,10}$: letters, digits, '_' and spaces, at most 10")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        self.base_url = base_url.rstrip("/")
        self.source = source
        self.page_size = page_size
        self.max_parallel = max_parallel
        self.counter = counter or CallCounter()
        self._credentials = credentials
        self._owns_pool = pool is None
        self.transport = eboekhouden_transport(
            protocol="rest",
            # urllib3's pool, not a requests session: requests costs about twice the CPU per call, and a first
            # import makes a call per mutation (bench/README.md, "What limits the import").
            session=pool or new_pool(max_parallel, base_url=self.base_url),
            timeouts=timeouts,
            retry=retry or RetryPolicy(),
            max_parallel=max_parallel,
            counter=self.counter,
            # The detail calls of a fetch go out from an event loop (integrations.http.aio): a third of the CPU
            # per call of a thread each. A client handed a pool (tests) sends everything on it, on threads.
            async_sender=async_sender
            if async_sender is not None or pool is not None
            else new_async_sender(max_parallel, base_url=self.base_url),
            credential=credentials.token,
            priority=priority,
            since=since,
        )
        self._renew_margin = renew_margin
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0

    def __repr__(self) -> str:
        return f"RestClient(base_url={self.base_url!r}, credentials=[redacted])"

    @property
    def limiter(self) -> AdaptiveLimiter:
        return self.transport.limiter

    # --- session ---------------------------------------------------------------------------------------

    def _secrets(self) -> tuple[str | None, ...]:
        return (self._credentials.token, self._token)

    def session_token(self) -> str:
        """A session token that is not about to expire, opening or renewing the session when needed."""
        with self._lock:
            if self._token is None or self._clock() >= self._renew_at:
                self._open_session()
            assert self._token is not None
            return self._token

    async def session_token_async(self) -> str:
        """:meth:`session_token` from the event loop: at once while the token is good, else renewed on a thread
        (opening a session is one blocking call, once an hour, and it must not stall the loop's other requests)."""
        # Never wait for the lock on the loop: a thread holding it to renew the session sends its request through
        # the limiter, whose slots are freed by this loop's requests.
        if self._lock.acquire(blocking=False):
            try:
                if self._token is not None and self._clock() < self._renew_at:
                    return self._token
            finally:
                self._lock.release()
        return await asyncio.to_thread(self.session_token)

    def _open_session(self) -> None:
        endpoint = "/v1/session"
        if not self._credentials.token:
            raise errors.rest_error(status=400, body={"code": "API_SESSION_003"}, endpoint=endpoint, secrets=())
        document: list[Any] = []
        response = self.transport.send(
            "POST",
            self.base_url + endpoint,
            endpoint=endpoint,
            json={"accessToken": self._credentials.token, "source": self.source},
            headers={"Accept": "application/json"},
            readable=lambda r: _parsed_into(document, r),
            # Not held back by the limiter: the detail calls holding its slots may be waiting for this session.
            limited=False,
        )
        if response.status_code != 200:
            raise errors.rest_error(
                status=response.status_code,
                body=self._error_body(response),
                endpoint=endpoint,
                secrets=self._secrets(),
                session_request=True,
            )
        try:
            fields = parsing.Fields(document[0], "session")
            token = fields.text("token")
            expires_in = fields.int("expiresIn")
        except parsing.ParseError as exc:
            raise errors.garbled(endpoint, str(exc), status=200) from None
        if not token:
            raise errors.garbled(endpoint, "session.token must not be empty", status=200)
        # Renew a little before the end: a minute for hour-long sessions, a tenth of very short ones.
        margin = min(self._renew_margin, expires_in / 10)
        self._token = token
        self._renew_at = self._clock() + expires_in - margin
        logger.info("eboekhouden.session.opened", expires_in=expires_in)

    def _invalidate(self, token: str) -> None:
        with self._lock:
            if self._token == token:
                self._token = None

    async def _invalidate_async(self, token: str) -> None:
        # As in session_token_async: the loop never waits for the lock.
        if self._lock.acquire(blocking=False):
            try:
                if self._token == token:
                    self._token = None
            finally:
                self._lock.release()
        else:
            await asyncio.to_thread(self._invalidate, token)

    def close(self) -> None:
        """End the session (``DELETE /v1/session``) and release the connections. Safe to call twice."""
        with self._lock:
            token, self._token = self._token, None
        if token is not None:
            try:
                self.transport.send(
                    "DELETE",
                    self.base_url + "/v1/session",
                    endpoint="/v1/session",
                    headers={"Authorization": token},
                )
            except IntegrationError as error:
                # The session ends by itself within the hour; failing to say goodbye must not fail a sync.
                logger.warning("eboekhouden.session.close_failed", error=type(error).__name__)
        if self._owns_pool:
            self.transport.close()

    # --- requests --------------------------------------------------------------------------------------

    def get(
        self,
        template: str,
        *,
        path: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        """``GET`` ``template`` (e.g. ``/v1/mutation/{id}``) and return the decoded JSON.

        ``params`` keys are written as the API wants them, brackets unescaped: ``{"date[range]": "a,b"}``.
        """
        url = self._url(template, path, params)
        document: list[Any] = []
        for unauthorized in range(1, MAX_UNAUTHORIZED + 1):
            used: list[str] = []

            def headers(used: list[str] = used) -> dict[str, str]:
                used.append(self.session_token())
                return self._headers(used[-1])

            response = self.transport.send(
                "GET", url, endpoint=template, headers=headers, readable=lambda r: _parsed_into(document, r)
            )
            if not self._renew_after(response, unauthorized, template):
                break
            self._invalidate(used[-1])
        return self._document(response, document, template)

    async def get_async(
        self, template: str, *, path: Mapping[str, Any] | None = None, params: Mapping[str, Any] | None = None
    ) -> Any:
        """:meth:`get` from the client's event loop (the calls a gateway sends together, see :class:`RestGateway`)."""
        url = self._url(template, path, params)
        document: list[Any] = []
        for unauthorized in range(1, MAX_UNAUTHORIZED + 1):
            used: list[str] = []

            async def headers(used: list[str] = used) -> dict[str, str]:
                used.append(await self.session_token_async())
                return self._headers(used[-1])

            response = await self.transport.send_async(
                "GET", url, endpoint=template, headers=headers, readable=lambda r: _parsed_into(document, r)
            )
            if not self._renew_after(response, unauthorized, template):
                break
            await self._invalidate_async(used[-1])
        return self._document(response, document, template)

    def _url(self, template: str, path: Mapping[str, Any] | None, params: Mapping[str, Any] | None) -> str:
        url = self.base_url + template.format(**{k: quote(str(v), safe="") for k, v in (path or {}).items()})
        if params:
            url += "?" + urlencode(
                {k: _param(v) for k, v in params.items() if v is not None}, safe="[],", quote_via=quote
            )
        return url

    @staticmethod
    def _headers(token: str) -> dict[str, str]:
        return {"Authorization": token, "Accept": "application/json"}

    def _renew_after(self, response: Answer, unauthorized: int, template: str) -> bool:
        """True after a 401: the caller drops the session the call used, so the next attempt opens a new one."""
        if response.status_code != 401 or unauthorized == MAX_UNAUTHORIZED:
            return False
        # The session ended before we expected (revoked, expired early, server restart): renew it once per 401
        # and repeat the call. A revoked key fails at the renewal itself (403), so this cannot loop. Under
        # concurrency another request may have renewed already; then the call just repeats.
        logger.info("eboekhouden.session.renewing", reason="401", path=template)
        return True

    def _document(self, response: Answer, document: list[Any], template: str) -> Any:
        if response.status_code == 401:
            # Every renewal succeeded, so the key is accepted; the service keeps dropping sessions. Not a reason
            # to ask the user for a new key: let the run be retried later.
            raise TransientError(errors.TRANSIENT, title="sessions keep ending", status=401, endpoint=template)
        if response.status_code != 200:
            raise errors.rest_error(
                status=response.status_code,
                body=self._error_body(response),
                endpoint=template,
                secrets=self._secrets(),
            )
        return document[0]

    def paged(self, template: str, *, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """Every item of a list endpoint: pages of ``page_size`` until a short page."""
        offset = 0
        while True:
            document = self.get(template, params={**(params or {}), "limit": self.page_size, "offset": offset})
            try:
                items = parsing.envelope_items(document)
            except parsing.ParseError as exc:
                raise errors.garbled(template, str(exc), status=200) from None
            yield from items
            if len(items) < self.page_size:
                return
            offset += len(items)

    @staticmethod
    def _error_body(response: Answer) -> Mapping[str, Any] | None:
        if not response.content:
            return None
        try:
            body = parsing.loads(response.content)
        except parsing.ParseError:
            return None
        return body if isinstance(body, Mapping) else None


def _parsed_into(document: list[Any], response: Answer) -> bool:
    """Parse a 200's JSON into ``document``; False when the body is not whole JSON (cut short, a proxy's page)."""
    try:
        document[:] = [parsing.loads(response.content)]
    except parsing.ParseError:
        return False
    return True


def _param(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):  # a range
        return ",".join(_param(part) for part in value)
    return str(value)


class RestGateway:
    """The bookkeeping gateway over the REST API. Use as a context manager, or call :meth:`close`."""

    protocol = "rest"
    # The mutation list shows a few header fields only; the rest of a mutation is read one detail call at a time.
    lists_whole_mutations = False

    def __init__(self, client: RestClient) -> None:
        self.client = client
        self._ledger_ids: dict[str, int] | None = None
        # The detail fetch's event loop, the process's (or, for a client without an async sender, its threads,
        # started on first use and kept for the gateway's life: one sync run).
        self._loop = process_loop()
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()

    def __enter__(self) -> RestGateway:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RestGateway({self.client!r})"

    def close(self) -> None:
        sender = self.client.transport.async_sender
        if sender is not None:
            self._loop.release(sender.close)
        with self._executor_lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        self.client.close()

    @property
    def calls(self) -> CallCounter:
        return self.client.counter

    @property
    def parallelism(self) -> int:
        return self.client.max_parallel

    def _fetch_pool(self) -> ThreadPoolExecutor:
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self.client.max_parallel, thread_name_prefix="eboekhouden-fetch"
                )
            return self._executor

    def _parse(
        self, endpoint: str, parse: Callable[[Any], Any], obj: Any, *, kind: str | None = None, key: str = "id"
    ) -> Any:
        try:
            return parse(obj)
        except parsing.UnreadableValue as exc:
            if kind is None:
                raise errors.garbled(endpoint, str(exc), status=200) from None
            return parsing.unreadable(obj, kind, exc, key=key)
        except parsing.ParseError as exc:
            raise errors.garbled(endpoint, str(exc), status=200) from None

    def _list(
        self,
        endpoint: str,
        parse: Callable[[Any], Any],
        params: Mapping[str, Any] | None = None,
        *,
        kind: str | None = None,
        key: str = "id",
    ):
        """Each item parsed; with ``kind``, an item holding a value out of range comes as :class:`Unreadable`
        (named by its ``key`` field) instead of failing the whole list."""
        for obj in self.client.paged(endpoint, params=params):
            yield self._parse(endpoint, parse, obj, kind=kind, key=key)

    def administrations(self) -> list[Administration]:
        found: dict[str, Administration] = {}
        for admin in self._list("/v1/administration/linked", parsing.administration_from_json):
            found.setdefault(admin.guid, admin)
        try:
            for admin in self._list("/v1/administration", parsing.administration_from_json):
                found.setdefault(admin.guid, admin)
        except AccessDenied as error:
            if error.code not in {"EP_001", "EP_002"}:
                raise
            # Only accountants' keys may list the administrations they manage; everyone else has "linked".
        return list(found.values())

    def ledgers(self) -> Iterator[Ledger | Unreadable]:
        ledger_ids: dict[str, int] = {}
        for ledger in self._list("/v1/ledger", parsing.ledger_from_json, kind="ledger"):
            if isinstance(ledger, Ledger):
                ledger_ids[ledger.code] = ledger.id
            yield ledger
        self._ledger_ids = ledger_ids

    def relations(self) -> Iterator[Relation | Unreadable]:
        return self._list("/v1/relation", parsing.relation_from_json, kind="relation")

    def cost_centres(self) -> Iterator[CostCentre | Unreadable]:
        return self._list("/v1/costcenter", parsing.cost_centre_from_json, kind="cost centre")

    def mutation_headers(self, date_from: dt.date, date_to: dt.date) -> Iterator[MutationHeader | Unreadable]:
        return self._list(
            "/v1/mutation", parsing.mutation_header_from_json, {"date[range]": (date_from, date_to)}, kind="mutation"
        )

    def has_mutations(self, date_from: dt.date, date_to: dt.date) -> bool:
        return bool(self._first_mutation(date_from, date_to)[0])

    def has_mutations_each(
        self, windows: Iterable[tuple[dt.date, dt.date]]
    ) -> Iterator[tuple[tuple[dt.date, dt.date], bool]]:
        return self._each(windows, lambda window: self.has_mutations(*window), self._has_mutations_async)

    async def _has_mutations_async(self, window: tuple[dt.date, dt.date]) -> bool:
        document = await self.client.get_async(MUTATIONS, params=_first_of(*window))
        return bool(self._first_mutation_from(document)[0])

    def mutation_count(self, date_from: dt.date, date_to: dt.date) -> int | None:
        return assumptions.list_total(self._first_mutation(date_from, date_to)[1], asked=1)

    def _first_mutation(self, date_from: dt.date, date_to: dt.date) -> tuple[list, int | None]:
        """The list's first item over the window, and the count its answer gives of the whole list: one item is
        enough, a page of 2,000 headers of a wide window costs the service and the parse for nothing."""
        return self._first_mutation_from(self.client.get(MUTATIONS, params=_first_of(date_from, date_to)))

    @staticmethod
    def _first_mutation_from(document: Any) -> tuple[list, int | None]:
        try:
            return parsing.envelope_items(document), parsing.envelope_count(document)
        except parsing.ParseError as exc:
            raise errors.garbled(MUTATIONS, str(exc), status=200) from None

    def mutation(self, mutation_id: int) -> Mutation | Unreadable:
        return self._mutation_from(mutation_id, self.client.get(MUTATION, path={"id": mutation_id}))

    def _mutation_from(self, mutation_id: int, document: Any) -> Mutation | Unreadable:
        found = self._parse(MUTATION, parsing.mutation_from_json, document, kind="mutation")
        if isinstance(found, Unreadable):
            # The id asked for is the mutation's, whatever its own id field held.
            return Unreadable(kind=found.kind, external_id=str(mutation_id), reason=found.reason)
        return found

    def mutations(self, mutation_ids: Iterable[int]) -> Iterator[Mutation | Unreadable]:
        """Whole mutations, fetched concurrently, yielded as they arrive; each id once.

        An id that answers 404 was deleted since it was listed: it is skipped (and logged), because the next
        listing will no longer show it either.
        """
        for mutation_id, mutation in self._each(mutation_ids, self._mutation_or_none, self._mutation_or_none_async):
            if mutation is None:
                logger.info("eboekhouden.mutation.vanished", mutation_id=mutation_id)
                continue
            yield mutation

    def _mutation_or_none(self, mutation_id: int) -> Mutation | Unreadable | None:
        try:
            return self.mutation(mutation_id)
        except NotFound:
            return None

    async def _mutation_or_none_async(self, mutation_id: int) -> Mutation | Unreadable | None:
        try:
            document = await self.client.get_async(MUTATION, path={"id": mutation_id})
        except NotFound:
            return None
        return self._mutation_from(mutation_id, document)

    def outstanding_items(self, side: Side) -> Iterator[OutstandingItem | Unreadable]:
        side = Side(side)
        return self._list(
            "/v1/mutation/invoice/outstanding",
            lambda obj: parsing.outstanding_item_from_json(obj, side),
            {"credDeb": side.value},
            kind="open item",
            key="mutationId",
        )

    def balances(self, date_from: dt.date, date_to: dt.date) -> list[LedgerBalance | Unreadable]:
        """Balance per ledger over the period (inclusive), with ``ledger_id`` filled from the chart of accounts."""
        ledger_ids = self._ledger_codes()
        return self._balances_from(self.client.get(BALANCES, params={"from": date_from, "to": date_to}), ledger_ids)

    def balances_each(
        self, windows: Iterable[tuple[dt.date, dt.date]]
    ) -> Iterator[tuple[tuple[dt.date, dt.date], list[LedgerBalance | Unreadable]]]:
        ledger_ids = self._ledger_codes()  # here, on the caller's thread: the chart is read with plain calls

        async def balances(window: tuple[dt.date, dt.date]) -> list[LedgerBalance | Unreadable]:
            document = await self.client.get_async(BALANCES, params={"from": window[0], "to": window[1]})
            return self._balances_from(document, ledger_ids)

        return self._each(windows, lambda window: self.balances(*window), balances)

    def _balances_from(self, document: Any, ledger_ids: dict[str, int]) -> list[LedgerBalance | Unreadable]:
        try:
            items = parsing.envelope_items(document)
        except parsing.ParseError as exc:
            raise errors.garbled(BALANCES, str(exc), status=200) from None
        return [
            self._parse(
                BALANCES, lambda obj: parsing.ledger_balance_from_json(obj, ledger_ids), obj, kind="balance", key="code"
            )
            for obj in items
        ]

    def _each(
        self, keys: Iterable[K], fetch: Callable[[K], V], fetch_async: Callable[[K], Awaitable[V]]
    ) -> Iterator[tuple[K, V]]:
        """``(key, answer)`` for each distinct key, as the answers arrive, at most the client's parallelism in flight:
        coroutines on the process's loop, or, for a client without an async sender, the gateway's threads."""
        if self.client.transport.async_sender is not None:
            return fetch_many(keys, fetch_async, runner=self._loop, max_in_flight=self.client.max_parallel)
        return fetch_concurrently(keys, fetch, max_workers=self.client.max_parallel, executor=self._fetch_pool())

    def _ledger_codes(self) -> dict[str, int]:
        if self._ledger_ids is None:
            for _ledger in self.ledgers():
                pass
        assert self._ledger_ids is not None
        return self._ledger_ids
