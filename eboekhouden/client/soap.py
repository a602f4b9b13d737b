"""The legacy e-Boekhouden SOAP API (``soap.asmx``) through zeep, and a gateway giving the same DTOs as REST.

zeep is loaded from the WSDL shipped in this package (``eboekhouden/contracts/soap.wsdl``), never from the
network; the end point comes from the caller (``settings.EBOEKHOUDEN_SOAP_URL``). Every request goes through
the shared :class:`~eboekhouden.client.transport.HttpTransport` (timeouts, retries, counting, logging), and zeep's
own transport logging, which would write whole envelopes with the security codes, is bypassed.

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
* Error codes: ``ERR_LOGIN`` and ``ERR_SECURITYCODE2`` are a refused login, ``ERR_LOGIN_EXPIRED`` an expired
  one, ``ERR_ADMINISTRATIE`` no access, ``ERR_SESSION`` a lost session (opened anew once). The live codes are
  not public: these are the sandbox's, and unknown codes are classified by the words in them.
* ``Bedrag``, ``Voldaan``, ``Openstaand`` and ``Saldo`` are ``xsd:double``; they become ``Decimal`` through the
  shortest decimal text of the double (``repr``), which restores any amount written with up to 15 digits.
* ``GetMutaties`` returns at most 500 mutations per call. :meth:`SoapGateway.mutation_headers` first asks for
  the whole date window; if the answer is capped it walks ``MutatieNrVan``/``MutatieNrTm`` windows of 500
  numbers from 0 up to the highest number seen and on until a window comes back empty. A window answer outside
  its numbers (the filter ignored) is a ``GarbledResponse`` rather than an endless walk.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from importlib import resources
from typing import Any

import requests
import structlog
import zeep
import zeep.exceptions
from zeep.wsdl import Document
from zeep.wsdl.utils import etree_to_string

from integrations.errors import (
    AccessDenied,
    AuthenticationError,
    CredentialsExpired,
    IntegrationError,
    NotFound,
    ProviderApiError,
    TransientError,
    redact,
)

from . import errors
from .concurrency import AdaptiveLimiter, fetch_concurrently
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
    SoapCredentials,
    VatLine,
)
from .metrics import CallCounter
from .retry import RetryPolicy
from .transport import USER_AGENT, HttpTransport, Timeouts, new_session

logger = structlog.stdlib.get_logger("eboekhouden.client")

BINDING = "{http://www.e-boekhouden.nl/soap}soapAppSoap"
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


def wsdl_path() -> str:
    """The WSDL shipped inside the package."""
    return str(resources.files("eboekhouden") / "contracts" / "soap.wsdl")


class _OfflineTransport(zeep.Transport):
    """Loads the WSDL from disk and refuses the network: loading the client must never reach out."""

    def load(self, url: str) -> bytes:
        if "://" in url and not url.startswith("file://"):
            raise RuntimeError("the e-Boekhouden WSDL must load without network access")
        return super().load(url)


@functools.cache
def _wsdl_document() -> Document:
    # Parsing the WSDL takes a noticeable fraction of a second; the parsed document is read-only and shared.
    return Document(wsdl_path(), _OfflineTransport(), settings=zeep.Settings(strict=False, xml_huge_tree=True))


class _ZeepTransport(zeep.Transport):
    """Hands zeep's posts to :class:`HttpTransport`; never logs envelopes (they carry the security codes)."""

    def __init__(self, http: HttpTransport) -> None:
        super().__init__(session=http.session)
        http.session.headers["User-Agent"] = USER_AGENT  # zeep put its own name there
        self._http = http

    def load(self, url: str) -> bytes:  # pragma: no cover - the document is parsed before a client exists
        raise RuntimeError("the e-Boekhouden WSDL must load without network access")

    def post_xml(self, address: str, envelope: Any, headers: Mapping[str, str]) -> requests.Response:
        action = str(headers.get("SOAPAction", "")).strip('"')
        operation = action.rsplit("/", 1)[-1] or "soap"
        return self._http.send(
            "POST",
            address,
            endpoint=operation,
            headers=headers,
            data=etree_to_string(envelope),
            # A SOAP fault comes with status 500: that is an answer to read, not a server in trouble.
            is_answer=lambda response: b"Fault>" in response.content[:4096],
        )


# ErrorMsg codes. e-Boekhouden does not publish them; these are the ones the sandbox answers (docs/sandbox.md),
# which follow what public clients report. Unknown codes are read by their words, and otherwise become
# ProviderApiError with the code and the (redacted) description.
_CODES: dict[str, type[IntegrationError] | None] = {
    "ERR_LOGIN": AuthenticationError,
    "ERR_LOGIN_EXPIRED": CredentialsExpired,
    "ERR_SECURITYCODE2": AuthenticationError,
    "ERR_SESSION": None,  # the session ended: open a new one and try once more
    "ERR_ADMINISTRATIE": AccessDenied,
    "ERR_FILTER": ProviderApiError,
}


def _classify(code: str) -> type[IntegrationError] | None:
    upper = code.upper()
    if upper in _CODES:
        return _CODES[upper]
    if "SESSION" in upper:
        return None
    if "EXPIRED" in upper or "VERLOPEN" in upper:
        return CredentialsExpired
    if any(word in upper for word in ("LOGIN", "SECURITY", "AUTH", "USER", "PASSWORD")):
        return AuthenticationError
    if any(word in upper for word in ("ADMIN", "GUID", "ACCESS", "PERMISSION", "RIGHTS")):
        return AccessDenied
    if "NOT_FOUND" in upper or "NOTFOUND" in upper:
        return NotFound
    return ProviderApiError


class _SessionLost(Exception):
    """The SOAP session is no longer valid; open a new one and try once more."""


class SoapClient:
    """One SOAP conversation with an administration, opened with username and security codes."""

    def __init__(
        self,
        credentials: SoapCredentials,
        *,
        base_url: str,
        source: str = "Monitr",
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        max_parallel: int = 4,
        counter: CallCounter | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url
        self.max_parallel = max_parallel
        self.counter = counter or CallCounter()
        self._credentials = credentials
        self._source = source
        self._owns_session = session is None
        retry = retry or RetryPolicy()
        self.transport = HttpTransport(
            protocol="soap",
            session=session or new_session(max_parallel),
            timeouts=timeouts or Timeouts(),
            retry=retry,
            limiter=AdaptiveLimiter(max_parallel, sleep=retry.sleep),
            counter=self.counter,
        )
        client = zeep.Client(wsdl=_wsdl_document(), transport=_ZeepTransport(self.transport))
        self._service = client.create_service(BINDING, base_url)
        self._lock = threading.Lock()
        self._session_id: str | None = None

    def __repr__(self) -> str:
        return f"SoapClient(base_url={self.base_url!r}, credentials=[redacted])"

    def _secrets(self) -> tuple[str | None, ...]:
        return (*self._credentials.secrets, self._session_id)

    # --- session ---------------------------------------------------------------------------------------

    def session_id(self) -> str:
        with self._lock:
            if self._session_id is None:
                self._session_id = self._open_session()
            return self._session_id

    def _open_session(self) -> str:
        c = self._credentials
        login = {
            "Username": c.username,
            "SecurityCode1": c.security_code_1,
            "SecurityCode2": c.security_code_2,
            "Source": self._source,
        }
        operation = "OpenSessionSub" if c.administration_guid else "OpenSession"
        if c.administration_guid:
            result = self._invoke(operation, AdministratieGUID=c.administration_guid, **login)
        else:
            result = self._invoke(operation, **login)
        self._check(result, operation, opening=True)
        session_id = _get(result, "SessionID")
        if not session_id:
            raise errors.garbled(operation, "SessionID must not be empty", status=200)
        logger.info("eboekhouden.session.opened", protocol="soap")
        return session_id

    def close(self) -> None:
        with self._lock:
            session_id, self._session_id = self._session_id, None
        if session_id is not None:
            try:
                self._invoke("CloseSession", SessionID=session_id)
            except IntegrationError as error:
                logger.warning("eboekhouden.session.close_failed", protocol="soap", error=type(error).__name__)
        if self._owns_session:
            self.transport.session.close()

    # --- calls -----------------------------------------------------------------------------------------

    def call(self, operation: str, result_field: str, **arguments: Any) -> list[Any]:
        """Call a data operation and return the items of ``result_field`` (``[]`` when there are none)."""
        for renewal in range(2):
            session_id = self.session_id()
            result = self._invoke(
                operation, SessionID=session_id, SecurityCode2=self._credentials.security_code_2, **arguments
            )
            try:
                self._check(result, operation)
            except _SessionLost:
                if renewal:
                    # The login just worked, so the codes are fine; the service keeps dropping sessions.
                    raise TransientError(errors.TRANSIENT, title="sessions keep ending", endpoint=operation) from None
                with self._lock:
                    if self._session_id == session_id:
                        self._session_id = None
                logger.info("eboekhouden.session.renewing", protocol="soap", path=operation)
                continue
            return _items(_get(result, result_field))
        raise AssertionError("unreachable")  # pragma: no cover

    def _invoke(self, operation: str, **arguments: Any) -> Any:
        try:
            return getattr(self._service, operation)(**arguments)
        except zeep.exceptions.Fault as fault:
            message = redact(str(fault.message or ""), self._secrets())
            code = str(fault.code) if fault.code else None
            raise ProviderApiError(
                errors.api_error_message(code, message), code=code, title=message, endpoint=operation
            ) from None
        except (zeep.exceptions.TransportError, zeep.exceptions.XMLSyntaxError, zeep.exceptions.XMLParseError):
            raise errors.garbled(operation, "the answer is not a readable SOAP envelope") from None
        except zeep.exceptions.ValidationError:
            raise errors.garbled(operation, "the answer does not match the WSDL") from None

    def _check(self, result: Any, operation: str, *, opening: bool = False) -> None:
        if result is None:
            raise errors.garbled(operation, "the answer has no result", status=200)
        error = _get(result, "ErrorMsg")
        code = _get(error, "LastErrorCode") if error is not None else None
        if not code:
            return
        description = redact(_get(error, "LastErrorDescription"), self._secrets())
        cls = _classify(code)
        if opening:
            # Opening a session fails for one reason that matters: the login. Only a refused administration
            # (OpenSessionSub) or an expired login says something more precise.
            if not (cls is CredentialsExpired or (cls is AccessDenied and self._credentials.administration_guid)):
                cls = AuthenticationError
        elif cls is None:
            raise _SessionLost
        common = {"code": code, "title": description, "endpoint": operation}
        if cls is AuthenticationError:
            raise AuthenticationError(errors.SOAP_LOGIN_REFUSED, **common)
        if cls is CredentialsExpired:
            raise CredentialsExpired(errors.SOAP_LOGIN_EXPIRED, **common)
        if cls is AccessDenied:
            raise AccessDenied(errors.NO_ADMINISTRATION_ACCESS, **common)
        if cls is NotFound:
            raise NotFound(errors.NOT_FOUND, **common)
        raise ProviderApiError(errors.api_error_message(code, description), **common)


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _items(array: Any) -> list[Any]:
    """The repeated element of an ``ArrayOfX`` wrapper (zeep gives the wrapper an attribute named after X)."""
    if array is None:
        return []
    if isinstance(array, list):
        return array
    values = [value for value in (array.__values__.values() if hasattr(array, "__values__") else [])]
    for value in values:
        if isinstance(value, list):
            return [item for item in value if item is not None]
    return []


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

    # --- reference data --------------------------------------------------------------------------------

    def administrations(self) -> list[Administration]:
        return [
            Administration(guid=_text(_get(a, "Guid")) or "", company=_text(_get(a, "Bedrijf")) or "")
            for a in self.client.call("GetAdministraties", "Administraties")
        ]

    def ledgers(self) -> Iterator[Ledger]:
        found = [
            Ledger(
                id=int(_get(item, "ID")),
                code=_text(_get(item, "Code")) or "",
                description=_text(_get(item, "Omschrijving")) or "",
                category=_text(_get(item, "Categorie")) or "",
                group=_text(_get(item, "Groep")),
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
            id=int(_get(item, "ID")),
            code=_text(_get(item, "Code")) or "",
            name=_text(_get(item, "Bedrijf")),
            type=_text(_get(item, "BP")),
            contact=_text(_get(item, "Contactpersoon")),
            email=_text(_get(item, "Email")),
            city=_text(_get(item, "Plaats")),
            country=_text(_get(item, "Land")),
            vat_number=_text(_get(item, "BTWNummer")),
            coc_number=_text(_get(item, "KvkNummer")),
            iban=_text(_get(item, "IBAN")),
            ledger_id=_get(item, "Gb_ID") or None,
        )

    def cost_centres(self) -> Iterator[CostCentre]:
        items = self.client.call("GetKostenplaatsen", "Kostenplaatsen", cFilter={})
        return iter(
            CostCentre(
                id=int(_get(item, "KostenplaatsId")),
                description=_text(_get(item, "Omschrijving")) or "",
                parent_id=_get(item, "KostenplaatsParentId") or None,
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
        numbers = [int(_get(item, "MutatieNr")) for item in items]
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
        highest = max(int(_get(item, "MutatieNr")) for item in probe)
        found: dict[tuple[int, int], Any] = {}
        low = 0
        while True:
            high = low + self.window - 1
            items = self._window(start, end, low, high)
            for index, item in enumerate(items):
                found[(int(_get(item, "MutatieNr")), index)] = item
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
                    amount=sum((_incl(row_item) for row_item in _items(_get(item, "MutatieRegels"))), Decimal(0)),
                    invoice_number=mutation.invoice_number,
                    entry_number=mutation.entry_number,
                )
            )
        return iter(headers)

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
            mutation_ids, self._mutation_or_none, max_workers=self.client.max_parallel
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
            soort = str(_get(item, "Soort"))
            mutation_type = MutationType(SOAP_TYPE_NAMES.index(soort))
            in_ex_vat = _text(_get(item, "InExBTW"))
            rows = tuple(self._row(row, in_ex_vat) for row in _items(_get(item, "MutatieRegels")))
            vat: dict[str, Decimal] = {}
            for row in _items(_get(item, "MutatieRegels")):
                if _decimal(_get(row, "BTWPercentage")):
                    code = _text(_get(row, "BTWCode")) or ""
                    vat[code] = vat.get(code, Decimal(0)) + _decimal(_get(row, "BedragBTW"))
            mutation_date = _date(_get(item, "Datum"))
            if mutation_date is None:
                raise ValueError("Datum")
            return Mutation(
                id=int(_get(item, "MutatieNr")),
                type=mutation_type,
                date=mutation_date,
                ledger_id=self._ledger_id(_get(item, "Rekening")),
                rows=rows,
                vat=tuple(VatLine(vat_code=code, amount=amount) for code, amount in vat.items()),
                description=_text(_get(item, "Omschrijving")),
                term_of_payment=_int_or_none(_get(item, "Betalingstermijn")),
                relation_id=self._relation_id(_get(item, "RelatieCode")),
                in_ex_vat=in_ex_vat,
                invoice_number=_text(_get(item, "Factuurnummer")),
                entry_number=_text(_get(item, "Boekstuk")),
            )
        except (ValueError, TypeError, ArithmeticError):
            raise errors.garbled("GetMutaties", "a mutation does not have the promised fields", status=200) from None

    def _row(self, row: Any, in_ex_vat: str | None) -> MutationRow:
        ledger_id = self._ledger_id(_get(row, "TegenrekeningCode"))
        if ledger_id is None:
            raise ValueError("TegenrekeningCode")
        # BedragInvoer is the amount as entered, like REST's row amount; without it, pick the side InExBTW names.
        entered = _get(row, "BedragInvoer")
        if entered is not None:
            amount = _decimal(entered)
        elif in_ex_vat == "IN":
            amount = _incl(row)
        else:
            amount = _decimal(_get(row, "BedragExclBTW"))
        # Like REST's vatAmount, a row's VAT is only stated where a VAT rate applies.
        rated = bool(_decimal(_get(row, "BTWPercentage")))
        return MutationRow(
            ledger_id=ledger_id,
            amount=amount,
            vat_code=_text(_get(row, "BTWCode")),
            vat_amount=_decimal(_get(row, "BedragBTW")) if rated else None,
            cost_centre_id=_get(row, "KostenplaatsID") or None,
            invoice_number=_text(_get(row, "Factuurnummer")),
        )

    # --- open items and balances -----------------------------------------------------------------------

    def outstanding_items(self, side: Side) -> Iterator[OutstandingItem]:
        side = Side(side)
        items = self.client.call("GetOpenPosten", "Openposten", OpSoort=SIDE_NAMES[side])
        found = []
        for item in items:
            relation_code = _text(_get(item, "RelCode"))
            item_date = _date(_get(item, "MutDatum"))
            if item_date is None:
                raise errors.garbled("GetOpenPosten", "an open item has no date", status=200)
            found.append(
                OutstandingItem(
                    side=side,
                    date=item_date,
                    invoice_number=_text(_get(item, "MutFactuur")),
                    relation_id=self._relation_id(relation_code),
                    relation_code=relation_code,
                    company=_text(_get(item, "RelBedrijf")),
                    total_amount=_decimal(_get(item, "Bedrag")),
                    paid_amount=_decimal(_get(item, "Voldaan")),
                    outstanding_amount=_decimal(_get(item, "Openstaand")),
                )
            )
        return iter(found)

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
                ledger_code=_text(_get(item, "Code")) or "",
                category=_text(_get(item, "Categorie")),
                balance=_decimal(_get(item, "Saldo")),
                ledger_id=_get(item, "ID") or None,
            )
            for item in items
        ]


def _incl(row: Any) -> Decimal:
    value = _get(row, "BedragInclBTW")
    if value is not None:
        return _decimal(value)
    return _decimal(_get(row, "BedragExclBTW")) + _decimal(_get(row, "BedragBTW"))


__all__ = ["SoapClient", "SoapGateway", "wsdl_path"]
