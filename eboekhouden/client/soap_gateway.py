"""The bookkeeping gateway over SOAP: the same DTOs as REST, mapped from SOAP's own shapes.

Mapping SOAP answers onto the REST DTOs (assumptions, also in ``docs/eboekhouden-client.md``):

* ``Soort`` names map to the REST type numbers in the order of ``enMutatieSoorten`` (OpeningsSaldo = 0 ...).
* Ledger codes (``Rekening``, ``TegenrekeningCode``, ``GetSaldi``' ``Code``) become ledger ids through
  ``GetGrootboekrekeningen``; relation codes (``RelatieCode``, ``RelCode``) become relation ids through
  ``GetRelaties``. Both lists are read once per gateway.
* A row's ``amount`` is ``BedragInvoer`` (the amount as entered, incl. or excl. VAT as ``InExBTW`` says, like
  REST's row amount); when absent it is ``BedragInclBTW`` or ``BedragExclBTW`` per ``InExBTW``. ``vat_amount`` is
  ``BedragBTW`` where ``BTWPercentage`` is not zero, else ``None`` (REST leaves ``vatAmount`` out there too).
  The mutation's ``vat`` lines sum ``BedragBTW`` per ``BTWCode`` over rows whose ``BTWPercentage`` is not zero.
* A header's ``amount`` is the sum of the rows' ``BedragInclBTW``, as the REST mutation list shows it.
* The opening balance (``OpeningsSaldo``) becomes one header per row, with id 0, as REST lists it.
* SOAP has no row description, row relation, relation payment term, relation ``inactive``, cost-centre
  ``active`` or outstanding item mutation id: those are ``None``.
* ``Bedrag``, ``Voldaan``, ``Openstaand`` and ``Saldo`` are ``xsd:double``; they become ``Decimal`` through the
  shortest decimal text of the double (``repr``), which restores any amount written with up to 15 digits.
* ``GetMutaties`` returns at most 500 mutations per call. :meth:`SoapGateway.mutation_headers` first asks for
  the whole date window; if the answer is capped it walks ``MutatieNrVan``/``MutatieNrTm`` windows of 500
  numbers from 0 up to the highest number seen and on until a window comes back empty. A window answer outside
  its numbers (the filter ignored) is a ``GarbledResponse`` rather than an endless walk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

import structlog

from integrations.errors import NotFound
from integrations.http import CallCounter, fetch_concurrently

from . import errors
from .dto import (
    Administration,
    CostCentre,
    Ledger,
    LedgerBalance,
    Mutation,
    MutationHeader,
    MutationRow,
    MutationType,
    OutstandingItem,
    Relation,
    Side,
    VatLine,
)
from .soap import SoapClient, field_of, items_of

logger = structlog.stdlib.get_logger("eboekhouden.client")

K = TypeVar("K")
V = TypeVar("V")

SOAP_TYPE_NAMES = (
    "OpeningsSaldo",
    "FactuurOntvangen",
    "FactuurVerstuurd",
    "FactuurbetalingOntvangen",
    "FactuurbetalingVerstuurd",
    "GeldOntvangen",
    "GeldUitgegeven",
    "Memoriaal",
)
SIDE_NAMES = {Side.DEBTORS: "Debiteuren", Side.CREDITORS: "Crediteuren"}
MUTATION_CAP = 500
# e-Boekhouden accepts years 1980..2049; a lookup by number needs dates, so it gets the widest range.
EARLIEST = dt.datetime(1980, 1, 1)
LATEST = dt.datetime(2049, 12, 31)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _decimal(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    if isinstance(value, float):
        # xsd:double: the shortest text that reads back as this double is the amount that was written.
        return Decimal(repr(value))
    return Decimal(value)


def _int_or_none(value: Any) -> int | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return int(Decimal(text))
    except ArithmeticError:
        return None


class SoapGateway:
    """The bookkeeping gateway over SOAP, returning the same DTOs as :class:`~.rest.RestGateway`."""

    protocol = "soap"
    # GetMutaties answers whole mutations: the list shows every edit, and a "detail" is read from what it listed.
    lists_whole_mutations = True

    def __init__(self, client: SoapClient, *, window: int = MUTATION_CAP, cache_size: int = 20_000) -> None:
        if not 1 <= window <= MUTATION_CAP:
            raise ValueError(f"window must be between 1 and {MUTATION_CAP}")
        self.client = client
        self.window = window
        self._ledger_ids: dict[str, int] | None = None
        self._relation_ids: dict[str, int] | None = None
        self._cache: OrderedDict[int, Mutation] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        self._lookup_lock = threading.Lock()

    def __enter__(self) -> SoapGateway:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SoapGateway({self.client!r})"

    def close(self) -> None:
        self.client.close()

    @property
    def calls(self) -> CallCounter:
        return self.client.counter

    @property
    def parallelism(self) -> int:
        return self.client.max_parallel

    # --- reference data --------------------------------------------------------------------------------

    def administrations(self) -> list[Administration]:
        return [
            Administration(guid=_text(field_of(a, "Guid")) or "", company=_text(field_of(a, "Bedrijf")) or "")
            for a in self.client.call("GetAdministraties", "Administraties")
        ]

    def ledgers(self) -> Iterator[Ledger]:
        found = [
            Ledger(
                id=int(field_of(item, "ID")),
                code=_text(field_of(item, "Code")) or "",
                description=_text(field_of(item, "Omschrijving")) or "",
                category=_text(field_of(item, "Categorie")) or "",
                group=_text(field_of(item, "Groep")),
            )
            for item in self.client.call("GetGrootboekrekeningen", "Rekeningen", cFilter={"ID": 0})
        ]
        self._ledger_ids = {ledger.code: ledger.id for ledger in found}
        return iter(found)

    def relations(self) -> Iterator[Relation]:
        found = [self._relation(item) for item in self.client.call("GetRelaties", "Relaties", cFilter={"ID": 0})]
        self._relation_ids = {relation.code: relation.id for relation in found}
        return iter(found)

    @staticmethod
    def _relation(item: Any) -> Relation:
        return Relation(
            id=int(field_of(item, "ID")),
            code=_text(field_of(item, "Code")) or "",
            name=_text(field_of(item, "Bedrijf")),
            type=_text(field_of(item, "BP")),
            contact=_text(field_of(item, "Contactpersoon")),
            email=_text(field_of(item, "Email")),
            address=_text(field_of(item, "Adres")),
            postal_code=_text(field_of(item, "Postcode")),
            city=_text(field_of(item, "Plaats")),
            country=_text(field_of(item, "Land")),
            vat_number=_text(field_of(item, "BTWNummer")),
            coc_number=_text(field_of(item, "KvkNummer")),
            iban=_text(field_of(item, "IBAN")),
            ledger_id=field_of(item, "Gb_ID") or None,
        )

    def cost_centres(self) -> Iterator[CostCentre]:
        items = self.client.call("GetKostenplaatsen", "Kostenplaatsen", cFilter={})
        return iter(
            CostCentre(
                id=int(field_of(item, "KostenplaatsId")),
                description=_text(field_of(item, "Omschrijving")) or "",
                parent_id=field_of(item, "KostenplaatsParentId") or None,
            )
            for item in items
        )

    def _ledger_id(self, code: Any) -> int | None:
        code = _text(code)
        if code is None:
            return None
        with self._lookup_lock:
            if self._ledger_ids is None:
                self.ledgers()
            assert self._ledger_ids is not None
            return self._ledger_ids.get(code)

    def _relation_id(self, code: Any) -> int | None:
        code = _text(code)
        if code is None:
            return None
        with self._lookup_lock:
            if self._relation_ids is None:
                self.relations()
            assert self._relation_ids is not None
            return self._relation_ids.get(code)

    # --- mutations -------------------------------------------------------------------------------------

    def _get_mutaties(self, **filters: Any) -> list[Any]:
        arguments = {"MutatieNr": 0, "DatumVan": EARLIEST, "DatumTm": LATEST, **filters}
        return self.client.call("GetMutaties", "Mutaties", cFilter=arguments)

    def _window(self, date_from: dt.datetime, date_to: dt.datetime, low: int, high: int) -> list[Any]:
        items = self._get_mutaties(DatumVan=date_from, DatumTm=date_to, MutatieNrVan=low, MutatieNrTm=high)
        numbers = [int(field_of(item, "MutatieNr")) for item in items]
        # A window holds at most ``window`` numbers, so it can never reach the cap. An answer outside the window,
        # or fuller than it, means the filter was ignored: walking on would never end, or would miss mutations.
        if any(not low <= number <= high for number in numbers) or len(items) > high - low + 1:
            raise errors.garbled("GetMutaties", "the answer ignores MutatieNrVan/MutatieNrTm", status=200)
        return items

    def _whole_mutations(self, date_from: dt.date, date_to: dt.date) -> list[Any]:
        start = dt.datetime.combine(date_from, dt.time())
        end = dt.datetime.combine(date_to, dt.time())
        probe = self._get_mutaties(DatumVan=start, DatumTm=end)
        if len(probe) < MUTATION_CAP:
            return probe
        # The answer is full: the cap may have cut it short. Walk number windows that cannot reach it.
        logger.info("eboekhouden.soap.cap_reached", window=f"{date_from}..{date_to}", walking="by number")
        highest = max(int(field_of(item, "MutatieNr")) for item in probe)
        found: dict[tuple[int, int], Any] = {}
        low = 0
        while True:
            high = low + self.window - 1
            items = self._window(start, end, low, high)
            for index, item in enumerate(items):
                found[(int(field_of(item, "MutatieNr")), index)] = item
            low = high + 1
            # Walk past the highest number the capped answer showed until a window comes back empty.
            if low > highest and not items:
                break
        return [found[key] for key in sorted(found)]

    def mutation_headers(self, date_from: dt.date, date_to: dt.date) -> Iterator[MutationHeader]:
        headers: list[MutationHeader] = []
        for item in self._whole_mutations(date_from, date_to):
            mutation = self._mutation(item)
            self._remember(mutation)
            if mutation.type == MutationType.OPENING_BALANCE:
                headers.extend(
                    MutationHeader(
                        id=0, type=mutation.type, date=mutation.date, ledger_id=row.ledger_id, amount=row.amount
                    )
                    for row in mutation.rows
                )
                continue
            headers.append(
                MutationHeader(
                    id=mutation.id,
                    type=mutation.type,
                    date=mutation.date,
                    ledger_id=mutation.ledger_id,
                    amount=sum((_incl(row_item) for row_item in items_of(field_of(item, "MutatieRegels"))), Decimal(0)),
                    invoice_number=mutation.invoice_number,
                    entry_number=mutation.entry_number,
                    digest=hashlib.blake2b(repr(mutation).encode(), digest_size=10).hexdigest(),
                )
            )
        return iter(headers)

    def has_mutations(self, date_from: dt.date, date_to: dt.date) -> bool:
        # GetMutaties has no limit: one answer (up to its cap) says it, without walking past the cap.
        start, end = (dt.datetime.combine(day, dt.time()) for day in (date_from, date_to))
        return bool(self._get_mutaties(DatumVan=start, DatumTm=end))

    def has_mutations_each(
        self, windows: Iterable[tuple[dt.date, dt.date]]
    ) -> Iterator[tuple[tuple[dt.date, dt.date], bool]]:
        return self._each(windows, lambda window: self.has_mutations(*window), "eboekhouden-search")

    def mutation_count(self, date_from: dt.date, date_to: dt.date) -> int | None:
        # GetMutaties gives no count: counting would walk the whole list, past its cap, for nothing.
        return None

    def _remember(self, mutation: Mutation) -> None:
        with self._cache_lock:
            self._cache[mutation.id] = mutation
            self._cache.move_to_end(mutation.id)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    def mutation(self, mutation_id: int) -> Mutation:
        with self._cache_lock:
            cached = self._cache.get(mutation_id)
        if cached is not None:
            return cached
        items = self._get_mutaties(MutatieNr=mutation_id)
        for item in items:
            mutation = self._mutation(item)
            if mutation.id == mutation_id:
                self._remember(mutation)
                return mutation
        raise NotFound(errors.NOT_FOUND, endpoint="GetMutaties")

    def mutations(self, mutation_ids: Iterable[int]) -> Iterator[Mutation]:
        for mutation_id, mutation in fetch_concurrently(
            mutation_ids,
            self._mutation_or_none,
            max_workers=self.client.max_parallel,
            thread_name_prefix="eboekhouden-fetch",
        ):
            if mutation is None:
                logger.info("eboekhouden.mutation.vanished", mutation_id=mutation_id)
                continue
            yield mutation

    def _mutation_or_none(self, mutation_id: int) -> Mutation | None:
        try:
            return self.mutation(mutation_id)
        except NotFound:
            return None

    def _mutation(self, item: Any) -> Mutation:
        try:
            soort = str(field_of(item, "Soort"))
            mutation_type = MutationType(SOAP_TYPE_NAMES.index(soort))
            in_ex_vat = _text(field_of(item, "InExBTW"))
            rows = tuple(self._row(row, in_ex_vat) for row in items_of(field_of(item, "MutatieRegels")))
            vat: dict[str, Decimal] = {}
            for row in items_of(field_of(item, "MutatieRegels")):
                if _decimal(field_of(row, "BTWPercentage")):
                    code = _text(field_of(row, "BTWCode")) or ""
                    vat[code] = vat.get(code, Decimal(0)) + _decimal(field_of(row, "BedragBTW"))
            mutation_date = _date(field_of(item, "Datum"))
            if mutation_date is None:
                raise ValueError("Datum")
            return Mutation(
                id=int(field_of(item, "MutatieNr")),
                type=mutation_type,
                date=mutation_date,
                ledger_id=self._ledger_id(field_of(item, "Rekening")),
                rows=rows,
                vat=tuple(VatLine(vat_code=code, amount=amount) for code, amount in vat.items()),
                description=_text(field_of(item, "Omschrijving")),
                term_of_payment=_int_or_none(field_of(item, "Betalingstermijn")),
                relation_id=self._relation_id(field_of(item, "RelatieCode")),
                in_ex_vat=in_ex_vat,
                invoice_number=_text(field_of(item, "Factuurnummer")),
                entry_number=_text(field_of(item, "Boekstuk")),
            )
        except (ValueError, TypeError, ArithmeticError):
            raise errors.garbled("GetMutaties", "a mutation does not have the promised fields", status=200) from None

    def _row(self, row: Any, in_ex_vat: str | None) -> MutationRow:
        ledger_id = self._ledger_id(field_of(row, "TegenrekeningCode"))
        if ledger_id is None:
            raise ValueError("TegenrekeningCode")
        # BedragInvoer is the amount as entered, like REST's row amount; without it, pick the side InExBTW names.
        entered = field_of(row, "BedragInvoer")
        if entered is not None:
            amount = _decimal(entered)
        elif in_ex_vat == "IN":
            amount = _incl(row)
        else:
            amount = _decimal(field_of(row, "BedragExclBTW"))
        # Like REST's vatAmount, a row's VAT is only stated where a VAT rate applies.
        rated = bool(_decimal(field_of(row, "BTWPercentage")))
        return MutationRow(
            ledger_id=ledger_id,
            amount=amount,
            vat_code=_text(field_of(row, "BTWCode")),
            vat_amount=_decimal(field_of(row, "BedragBTW")) if rated else None,
            cost_centre_id=field_of(row, "KostenplaatsID") or None,
            invoice_number=_text(field_of(row, "Factuurnummer")),
        )

    # --- open items and balances -----------------------------------------------------------------------

    def outstanding_items(self, side: Side) -> Iterator[OutstandingItem]:
        side = Side(side)
        items = self.client.call("GetOpenPosten", "Openposten", OpSoort=SIDE_NAMES[side])
        found = []
        for item in items:
            relation_code = _text(field_of(item, "RelCode"))
            item_date = _date(field_of(item, "MutDatum"))
            if item_date is None:
                raise errors.garbled("GetOpenPosten", "an open item has no date", status=200)
            found.append(
                OutstandingItem(
                    side=side,
                    date=item_date,
                    invoice_number=_text(field_of(item, "MutFactuur")),
                    relation_id=self._relation_id(relation_code),
                    relation_code=relation_code,
                    company=_text(field_of(item, "RelBedrijf")),
                    total_amount=_decimal(field_of(item, "Bedrag")),
                    paid_amount=_decimal(field_of(item, "Voldaan")),
                    outstanding_amount=_decimal(field_of(item, "Openstaand")),
                )
            )
        return iter(found)

    def balances_each(
        self, windows: Iterable[tuple[dt.date, dt.date]]
    ) -> Iterator[tuple[tuple[dt.date, dt.date], list[LedgerBalance]]]:
        return self._each(windows, lambda window: self.balances(*window), "eboekhouden-balances")

    def _each(self, keys: Iterable[K], fetch: Callable[[K], V], name: str) -> Iterator[tuple[K, V]]:
        """``(key, fetch(key))`` for each distinct key as they arrive, the client's parallelism of threads at once
        (zeep sends from threads only)."""
        return fetch_concurrently(keys, fetch, max_workers=self.client.max_parallel, thread_name_prefix=name)

    def balances(self, date_from: dt.date, date_to: dt.date) -> list[LedgerBalance]:
        items = self.client.call(
            "GetSaldi",
            "Saldi",
            cFilter={
                "KostenPlaatsId": 0,
                "DatumVan": dt.datetime.combine(date_from, dt.time()),
                "DatumTot": dt.datetime.combine(date_to, dt.time()),
            },
        )
        return [
            LedgerBalance(
                ledger_code=_text(field_of(item, "Code")) or "",
                category=_text(field_of(item, "Categorie")),
                balance=_decimal(field_of(item, "Saldo")),
                ledger_id=field_of(item, "ID") or None,
            )
            for item in items
        ]


def _incl(row: Any) -> Decimal:
    value = field_of(row, "BedragInclBTW")
    if value is not None:
        return _decimal(value)
    return _decimal(field_of(row, "BedragExclBTW")) + _decimal(field_of(row, "BedragBTW"))


__all__ = ["SoapGateway"]
