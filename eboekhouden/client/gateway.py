"""The one interface through which Monitr reads e-Boekhouden, and the factory that picks the protocol.

The importer depends on :class:`BookkeepingGateway` only; whether REST (an API token) or SOAP (username and
security codes) answered is decided here, from the type of the credentials, and never visible in the DTOs.

    with open_gateway(ApiTokenCredentials(token)) as gateway:
        for header in gateway.mutation_headers(date(2025, 1, 1), date(2025, 1, 31)):
            ...
        for mutation in gateway.mutations(changed_ids):
            ...
        used = gateway.calls.snapshot()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol, Self, runtime_checkable

from integrations.http import CallCounter

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
    SoapCredentials,
    Unreadable,
)

DEFAULT_REST_URL = "https://api.e-boekhouden.nl"
DEFAULT_SOAP_URL = "https://soap.e-boekhouden.nl/soap.asmx"
# REST detail fetches in flight at once (``settings.EBOEKHOUDEN_MAX_PARALLEL`` overrides it); see
# docs/eboekhouden-client.md, "How many at once", for why this number.
DEFAULT_MAX_PARALLEL = 32


@runtime_checkable
class BookkeepingGateway(Protocol):
    """Everything the importer reads from e-Boekhouden. Every method may raise an ``integrations.errors`` error.

    The methods that list records may hand over an :class:`~.dto.Unreadable` in the place of one whose values are
    out of any range (a date in the year 10000), so that one such record never fails the whole list."""

    protocol: str
    # True when the mutation list carries whole mutations, so its headers show every edit.
    lists_whole_mutations: bool

    @property
    def calls(self) -> CallCounter:
        """API calls made so far, per endpoint (retries included)."""
        ...

    @property
    def parallelism(self) -> int:
        """How many requests the gateway keeps in flight at most: what a caller fetching concurrently uses."""
        ...

    def administrations(self) -> list[Administration]:
        """The administrations these credentials can reach (for the Add wizard)."""
        ...

    def ledgers(self) -> Iterator[Ledger | Unreadable]: ...

    def relations(self) -> Iterator[Relation | Unreadable]: ...

    def cost_centres(self) -> Iterator[CostCentre | Unreadable]: ...

    def mutation_headers(self, date_from: dt.date, date_to: dt.date) -> Iterator[MutationHeader | Unreadable]:
        """Mutation list items dated within the window (both ends included); opening balance items have id 0."""
        ...

    def has_mutations(self, date_from: dt.date, date_to: dt.date) -> bool:
        """Whether any mutation (an opening balance item included) is dated within the window: one list call that
        asks for as little as the protocol allows."""
        ...

    def has_mutations_each(
        self, windows: Iterable[tuple[dt.date, dt.date]]
    ) -> Iterator[tuple[tuple[dt.date, dt.date], bool]]:
        """:meth:`has_mutations` of each distinct window, yielded as they arrive: the calls go out together, at most
        :attr:`parallelism` at once."""
        ...

    def mutation_count(self, date_from: dt.date, date_to: dt.date) -> int | None:
        """How many mutations are dated within the window, where one list call tells it; None where the protocol
        cannot say without reading the list."""
        ...

    def mutation(self, mutation_id: int) -> Mutation | Unreadable:
        """One whole mutation; raises ``NotFound`` if it no longer exists."""
        ...

    def mutations(self, mutation_ids: Iterable[int]) -> Iterator[Mutation | Unreadable]:
        """Whole mutations, fetched concurrently and yielded as they arrive; each id once, vanished ids skipped."""
        ...

    def outstanding_items(self, side: Side) -> Iterator[OutstandingItem | Unreadable]: ...

    def balances(self, date_from: dt.date, date_to: dt.date) -> Sequence[LedgerBalance | Unreadable]:
        """Balance per ledger over the period, debit-positive."""
        ...

    def balances_each(
        self, windows: Iterable[tuple[dt.date, dt.date]]
    ) -> Iterator[tuple[tuple[dt.date, dt.date], Sequence[LedgerBalance | Unreadable]]]:
        """:meth:`balances` of each distinct window, yielded as they arrive: the calls go out together, at most
        :attr:`parallelism` at once."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: object) -> None: ...


def _setting(name: str, default: Any) -> Any:
    # The client works without Django (tests, scripts); with Django, the settings name the end points.
    try:
        from django.conf import settings

        return getattr(settings, name, default) if settings.configured else default
    except ImportError:  # pragma: no cover - Django is a dependency of Monitr
        return default


def max_parallel_setting() -> int:
    """How many REST requests a gateway keeps in flight: ``settings.EBOEKHOUDEN_MAX_PARALLEL``, else the default."""
    value = _setting("EBOEKHOUDEN_MAX_PARALLEL", None)
    return int(value) if value else DEFAULT_MAX_PARALLEL


def open_gateway(
    credentials: ApiTokenCredentials | SoapCredentials,
    *,
    base_url: str | None = None,
    **options: Any,
) -> BookkeepingGateway:
    """A gateway for the credentials: REST for an API token, SOAP for username and security codes.

    ``base_url`` defaults to ``settings.EBOEKHOUDEN_REST_URL`` / ``EBOEKHOUDEN_SOAP_URL``. ``options`` go to the
    client (``timeouts``, ``retry``, ``max_parallel``, ``page_size``, ``source``, ``counter``).
    """
    if isinstance(credentials, ApiTokenCredentials):
        from .rest import RestClient, RestGateway

        url = base_url or _setting("EBOEKHOUDEN_REST_URL", DEFAULT_REST_URL)
        options.setdefault("max_parallel", max_parallel_setting())
        return RestGateway(RestClient(credentials, base_url=url, **options))
    if isinstance(credentials, SoapCredentials):
        from .soap import SoapClient
        from .soap_gateway import SoapGateway

        url = base_url or _setting("EBOEKHOUDEN_SOAP_URL", DEFAULT_SOAP_URL)
        return SoapGateway(SoapClient(credentials, base_url=url, **options))
    raise TypeError(f"no e-Boekhouden gateway for {type(credentials).__name__}")
