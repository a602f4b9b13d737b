"""The legacy SOAP API (``/soap.asmx``), SOAP 1.1 and 1.2, document/literal, shaped by ``soap.wsdl``.

Requests are read leniently, as the live ASMX service reads them: the operation is the body's first element
(SOAPAction is not required to match), namespaces are ignored, and left-out elements take their neutral value
(no ``Source``, a filter without ``MutatieNr`` or dates). Answers carry ``ErrorMsg`` on failures, never a SOAP
fault, except for a request that is not SOAP at all. ``GET /soap.asmx?wsdl`` serves the contract with this
server's own address.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from aiohttp import web
from lxml import etree

from .chart import VAT_CODES
from .faults import Reply, admit, before, delivery, send, too_many
from .journal import row_parts
from .limits import SOAP_KEY, gated
from .model import SOAP_TYPE_NAMES, Mutation
from .rest import STATE
from .state import SandboxState, Session
from .store import Book
from .views import describe

NS = "http://www.e-boekhouden.nl/soap"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSDL_PATH = Path(__file__).resolve().parent.parent / "contracts" / "soap.wsdl"
MAX_MUTATIONS = 500
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=True)
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Error codes: the live codes are not public; these are the sandbox's own, documented in docs/sandbox.md.
LOGIN_FAILED = ("ERR_LOGIN", "Inloggen mislukt: gebruikersnaam of beveiligingscodes onjuist.")
LOGIN_EXPIRED = ("ERR_LOGIN_EXPIRED", "De beveiligingscodes zijn verlopen.")
NO_SESSION = ("ERR_SESSION", "Sessie is verlopen of ongeldig. Open een nieuwe sessie.")
BAD_CODE_2 = ("ERR_SECURITYCODE2", "Beveiligingscode 2 is onjuist.")
NO_ACCESS = ("ERR_ADMINISTRATIE", "Geen toegang tot de gevraagde administratie.")
BAD_FILTER = ("ERR_FILTER", "Ongeldige waarde in het filter.")
MONTHLY_LIMIT = "ERR_MAXCALLS"


def _monthly_limit(limit: int | None) -> tuple[str, str]:
    """The answer once a login has used this month's SOAP calls (the manual speaks of 5,000 a month)."""
    return (
        MONTHLY_LIMIT,
        f"Het maximale aantal van {limit or 0} API-aanroepen per maand is bereikt. "
        "Probeer het volgende maand opnieuw of neem contact op met e-Boekhouden.nl.",
    )


def _text(value: object) -> str:
    return escape(_INVALID_XML.sub("", str(value)))


def _el(name: str, value: object) -> str:
    if value is None or value == "":
        return f"<{name} />"
    return f"<{name}>{_text(value)}</{name}>"


def _dt(day: date) -> str:
    return f"{day.isoformat()}T00:00:00"


def _num(value: Decimal) -> str:
    return format(value, "f")


def _error(error: tuple[str, str] | None) -> str:
    if error is None:
        return "<ErrorMsg><LastErrorCode /><LastErrorDescription /></ErrorMsg>"
    return f"<ErrorMsg>{_el('LastErrorCode', error[0])}{_el('LastErrorDescription', error[1])}</ErrorMsg>"


def envelope(version: str, operation: str, result: str) -> bytes:
    env = SOAP12 if version == "1.2" else SOAP11
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{env}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        f'<soap:Body><{operation}Response xmlns="{NS}">{result}</{operation}Response></soap:Body></soap:Envelope>'
    ).encode()


def fault(version: str, message: str) -> bytes:
    env = SOAP12 if version == "1.2" else SOAP11
    if version == "1.2":
        inner = (
            f"<soap:Code><soap:Value>soap:Sender</soap:Value></soap:Code>"
            f'<soap:Reason><soap:Text xml:lang="en">{_text(message)}</soap:Text></soap:Reason>'
        )
    else:
        inner = f"<faultcode>soap:Client</faultcode><faultstring>{_text(message)}</faultstring>"
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{env}"><soap:Body><soap:Fault>'
        f"{inner}</soap:Fault></soap:Body></soap:Envelope>"
    ).encode()


class Call:
    """A parsed request: the operation and its parameters by local name (namespaces ignored)."""

    def __init__(self, operation: str, element: etree._Element) -> None:
        self.operation = operation
        self.element = element

    def value(self, *path: str) -> str | None:
        node: etree._Element | None = self.element
        for name in path:
            node = _child(node, name) if node is not None else None
        if node is None or node.get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true":
            return None
        return (node.text or "").strip()


def _child(node: etree._Element, name: str) -> etree._Element | None:
    lowered = name.lower()
    for child in node:
        if isinstance(child.tag, str) and etree.QName(child).localname.lower() == lowered:
            return child
    return None


def _int(value: str | None) -> int:
    if not value:
        return 0
    try:
        return int(value)
    except ValueError:
        raise _Refused(BAD_FILTER) from None


def _date(value: str | None) -> date | None:
    """A filter date; empty, missing and .NET's DateTime.MinValue mean "no bound"."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        raise _Refused(BAD_FILTER) from None
    return None if day.year <= 1 else day


class _Refused(Exception):
    def __init__(self, error: tuple[str, str]) -> None:
        super().__init__(error[1])
        self.error = error


# -- operations -----------------------------------------------------------------------------------------------------
Operation = Callable[[SandboxState, Call, Session | None], str]


def _open(state: SandboxState, call: Call, sub: bool) -> str:
    book, status = state.find_login(
        call.value("Username") or "", call.value("SecurityCode1") or "", call.value("SecurityCode2") or ""
    )
    if book is None or status != "active":
        return _error(LOGIN_EXPIRED if status == "expired" else LOGIN_FAILED) + "<SessionID />"
    guid = book.admin.guid
    if sub:
        wanted = (call.value("AdministratieGUID") or "").upper()
        linked = {b.admin.guid for b in state.account_books(guid)}
        if wanted not in linked:
            return _error(NO_ACCESS) + "<SessionID />"
        guid = wanted
    session = state.open_session(guid, "soap", login=book.admin.credentials.username)
    return _error(None) + _el("SessionID", session.token)


def open_session(state: SandboxState, call: Call, _: Session | None) -> str:
    return _open(state, call, sub=False)


def open_session_sub(state: SandboxState, call: Call, _: Session | None) -> str:
    return _open(state, call, sub=True)


def get_administraties(state: SandboxState, call: Call, session: Session | None) -> str:
    assert session is not None
    items = "".join(
        f"<cAdministratie>{_el('Bedrijf', b.admin.company)}{_el('Plaats', b.admin.city)}{_el('Guid', b.admin.guid)}"
        f"{_el('StartBoekjaar', b.admin.start_date.year)}</cAdministratie>"
        for b in state.account_books(session.guid)
    )
    return _error(None) + f"<Administraties>{items}</Administraties>"


def get_grootboekrekeningen(state: SandboxState, call: Call, session: Session | None) -> str:
    book = _book(state, session)
    wanted_id = _int(call.value("cFilter", "ID"))
    code = (call.value("cFilter", "Code") or "").lower()
    category = (call.value("cFilter", "Categorie") or "").lower()
    items = "".join(
        f"<cGrootboekrekening>{_el('ID', lg.id)}{_el('Code', lg.code)}{_el('Omschrijving', lg.description)}"
        f"{_el('Categorie', lg.category)}{_el('Groep', lg.group)}</cGrootboekrekening>"
        for lg in sorted(book.admin.ledgers, key=lambda ledger: ledger.code)
        if (not wanted_id or lg.id == wanted_id)
        and (not code or lg.code.lower() == code)
        and (not category or lg.category.lower() == category)
    )
    return _error(None) + f"<Rekeningen>{items}</Rekeningen>"


def get_mutaties(state: SandboxState, call: Call, session: Session | None) -> str:
    book = _book(state, session)
    number = _int(call.value("cFilter", "MutatieNr"))
    low = _int(call.value("cFilter", "MutatieNrVan"))
    high = _int(call.value("cFilter", "MutatieNrTm"))
    invoice = call.value("cFilter", "Factuurnummer") or ""
    start = _date(call.value("cFilter", "DatumVan"))
    end = _date(call.value("cFilter", "DatumTm"))
    found: list[Mutation] = []
    if not (number or low or high) and (start or end):  # by date alone: found by date, as an index would
        candidates: Iterable[Mutation] = book.dated(start or date.min, end or date.max)
    else:
        candidates = _ids_between(book, number, low, high)
    for mutation in candidates:
        if invoice and invoice.lower() not in {n.lower() for n in mutation.invoice_number.split(",")}:
            continue
        if (start and mutation.date < start) or (end and mutation.date > end):
            continue
        found.append(mutation)
    # "At most the last 500 mutations per call", as the vendor's manual says.
    items = "".join(_mutatie(book, mutation) for mutation in found[-MAX_MUTATIONS:])
    return _error(None) + f"<Mutaties>{items}</Mutaties>"


def _ids_between(book: Book, number: int, low: int, high: int) -> Iterable[Mutation]:
    if number:
        mutation = book.mutations.get(number)
        return [mutation] if mutation else []
    if not low and not high:
        return iter(book)
    ids = book.ids
    first = bisect.bisect_left(ids, low) if low else 0
    last = bisect.bisect_right(ids, high) if high else len(ids)
    return (book.mutations[i] for i in ids[first:last])


def _mutatie(book: Book, mutation: Mutation) -> str:
    ledgers = book.ledgers
    relation = book.relations.get(mutation.relation_id or 0)
    rows = []
    for row in mutation.rows:
        excl, vat, incl = row_parts(mutation.type, mutation.in_ex_vat, row)
        rate = _rate(row.vat_code) if mutation.type in (1, 2, 5, 6) else Decimal(0)
        ledger = ledgers.get(row.ledger_id)
        rows.append(
            "<cMutatieListRegel>"
            f"{_el('BedragInvoer', _num(row.amount))}{_el('BedragExclBTW', _num(excl))}"
            f"{_el('BedragBTW', _num(vat))}{_el('BedragInclBTW', _num(incl))}{_el('BTWCode', row.vat_code)}"
            f"{_el('BTWPercentage', _num(rate))}{_el('Factuurnummer', row.invoice_number or '')}"
            f"{_el('TegenrekeningCode', ledger.code if ledger else '')}"
            f"{_el('KostenplaatsID', row.cost_centre_id or 0)}</cMutatieListRegel>"
        )
    header = ledgers.get(mutation.ledger_id)
    return (
        "<cMutatieList>"
        f"{_el('MutatieNr', mutation.id)}{_el('Soort', SOAP_TYPE_NAMES[mutation.type])}"
        f"{_el('Datum', _dt(mutation.date))}"
        f"{_el('Rekening', header.code if header else '')}{_el('RelatieCode', relation.code if relation else '')}"
        f"{_el('Factuurnummer', mutation.invoice_number)}{_el('Boekstuk', mutation.entry_number)}"
        f"{_el('Omschrijving', describe(book, mutation))}{_el('Betalingstermijn', mutation.term_of_payment)}"
        f"{_el('InExBTW', mutation.in_ex_vat)}<MutatieRegels>{''.join(rows)}</MutatieRegels></cMutatieList>"
    )


def _rate(vat_code: str) -> Decimal:
    found = VAT_CODES.get(vat_code)
    return found.rate if found else Decimal(0)


def get_open_posten(state: SandboxState, call: Call, session: Session | None) -> str:
    book = _book(state, session)
    kind = (call.value("OpSoort") or "").lower()
    if kind not in ("debiteuren", "crediteuren"):
        raise _Refused(BAD_FILTER)
    items = "".join(
        f"<cOpenPost>{_el('MutDatum', _dt(item.date))}{_el('MutFactuur', item.invoice_number)}"
        f"{_el('RelCode', item.relation.code if item.relation else '')}"
        f"{_el('RelBedrijf', item.relation.name if item.relation else '')}{_el('Bedrag', _num(item.total))}"
        f"{_el('Voldaan', _num(item.paid))}{_el('Openstaand', _num(item.outstanding))}</cOpenPost>"
        for item in book.outstanding("D" if kind == "debiteuren" else "C")
    )
    return _error(None) + f"<Openposten>{items}</Openposten>"


def get_relaties(state: SandboxState, call: Call, session: Session | None) -> str:
    book = _book(state, session)
    keyword = (call.value("cFilter", "Trefwoord") or "").lower()
    code = (call.value("cFilter", "Code") or "").lower()
    wanted_id = _int(call.value("cFilter", "ID"))
    items = []
    for r in book.admin.relations:
        if wanted_id and r.id != wanted_id:
            continue
        if code and r.code.lower() != code:
            continue
        if keyword and not any(keyword in field.lower() for field in (r.name, r.code, r.contact, r.city, r.email)):
            continue
        items.append(
            f"<cRelatie>{_el('ID', r.id)}{_el('AddDatum', _dt(r.created))}{_el('Code', r.code)}"
            f"{_el('Bedrijf', r.name)}{_el('Contactpersoon', r.contact)}{_el('Geslacht', r.gender)}"
            f"{_el('Adres', r.address)}{_el('Postcode', r.postal_code)}{_el('Plaats', r.city)}{_el('Land', r.country)}"
            f"{_el('Telefoon', r.phone)}{_el('Email', r.email)}{_el('Site', r.website)}"
            f"{_el('BTWNummer', r.vat_number)}{_el('KvkNummer', r.coc_number)}{_el('IBAN', r.iban)}"
            f"{_el('BIC', r.bic)}{_el('BP', r.type)}{_el('Gb_ID', r.ledger_id or 0)}{_el('GeenEmail', 0)}"
            f"{_el('NieuwsbriefgroepenCount', 0)}</cRelatie>"
        )
    return _error(None) + f"<Relaties>{''.join(items)}</Relaties>"


def get_saldi(state: SandboxState, call: Call, session: Session | None) -> str:
    book = _book(state, session)
    centre = _int(call.value("cFilter", "KostenPlaatsId")) or None
    start = _date(call.value("cFilter", "DatumVan"))
    end = _date(call.value("cFilter", "DatumTot"))
    category = (call.value("cFilter", "Categorie") or "").lower()
    balances = book.balances(start, end, centre)
    items = "".join(
        f"<cSaldo>{_el('ID', ledger_id)}{_el('Code', book.ledgers[ledger_id].code)}"
        f"{_el('Categorie', book.ledgers[ledger_id].category)}{_el('Saldo', _num(amount))}</cSaldo>"
        for ledger_id, amount in balances.items()
        if not category or book.ledgers[ledger_id].category.lower() == category
    )
    return _error(None) + f"<Saldi>{items}</Saldi>"


def get_saldo(state: SandboxState, call: Call, session: Session | None) -> str:
    book = _book(state, session)
    code = (call.value("cFilter", "GbCode") or "").lower()
    ledger = next((lg for lg in book.admin.ledgers if lg.code.lower() == code), None)
    if ledger is None:
        raise _Refused(BAD_FILTER)
    centre = _int(call.value("cFilter", "KostenPlaatsId")) or None
    amount = book.balance(
        ledger.id, _date(call.value("cFilter", "DatumVan")), _date(call.value("cFilter", "DatumTot")), centre
    )
    return _error(None) + _el("Saldo", _num(amount))


def get_kostenplaatsen(state: SandboxState, call: Call, session: Session | None) -> str:
    book = _book(state, session)
    wanted_id = _int(call.value("cFilter", "KostenplaatsID"))
    parent = _int(call.value("cFilter", "KostenplaatsParentID"))
    text = (call.value("cFilter", "Omschrijving") or "").lower()
    items = "".join(
        f"<cKostenplaats>{_el('KostenplaatsId', c.id)}{_el('Omschrijving', c.description)}"
        f"{_el('KostenplaatsParentId', c.parent_id)}</cKostenplaats>"
        for c in book.admin.cost_centres
        if (not wanted_id or c.id == wanted_id)
        and (not parent or c.parent_id == parent)
        and (not text or text in c.description.lower())
    )
    return _error(None) + f"<Kostenplaatsen>{items}</Kostenplaatsen>"


def _book(state: SandboxState, session: Session | None) -> Book:
    assert session is not None
    return state.book(session.guid)


SESSIONLESS: dict[str, Operation] = {"OpenSession": open_session, "OpenSessionSub": open_session_sub}
OPERATIONS: dict[str, Operation] = {
    "GetAdministraties": get_administraties,
    "GetGrootboekrekeningen": get_grootboekrekeningen,
    "GetMutaties": get_mutaties,
    "GetOpenPosten": get_open_posten,
    "GetRelaties": get_relaties,
    "GetSaldi": get_saldi,
    "GetSaldo": get_saldo,
    "GetKostenplaatsen": get_kostenplaatsen,
}
# Result elements that hold only ErrorMsg plus the operation's list, for an error answer.
_EMPTY_RESULT = {
    "GetAdministraties": "",
    "GetGrootboekrekeningen": "",
    "GetMutaties": "",
    "GetOpenPosten": "",
    "GetRelaties": "",
    "GetSaldi": "",
    "GetSaldo": "<Saldo>0</Saldo>",
    "GetKostenplaatsen": "",
}


# -- HTTP -----------------------------------------------------------------------------------------------------------
def _version(request: web.Request) -> str:
    return "1.2" if "application/soap+xml" in request.headers.get("Content-Type", "").lower() else "1.1"


def _content_type(version: str) -> str:
    return "application/soap+xml; charset=utf-8" if version == "1.2" else "text/xml; charset=utf-8"


def parse(body: bytes) -> Call:
    root = etree.fromstring(body, _PARSER)
    body_el = _child(root, "Body")
    if body_el is None:
        raise ValueError("no SOAP Body")
    operation = next((child for child in body_el if isinstance(child.tag, str)), None)
    if operation is None:
        raise ValueError("empty SOAP Body")
    return Call(etree.QName(operation).localname, operation)


def _fault_response(version: str, message: str) -> web.Response:
    return web.Response(
        status=500, body=fault(version, message), content_type=_content_type(version).split(";")[0], charset="utf-8"
    )


async def handle(request: web.Request) -> web.StreamResponse:
    if request.method == "GET":
        return wsdl_or_page(request)
    state = request.app[STATE]
    version = _version(request)
    content_type = _content_type(version)
    try:
        call = parse(await request.read())
    except (etree.XMLSyntaxError, ValueError) as error:
        return await _refuse(request, state, _fault_response(version, f"Bad request: {error}"))
    known = call.operation in OPERATIONS or call.operation in SESSIONLESS or call.operation == "CloseSession"
    if not known:
        return await _refuse(request, state, _fault_response(version, f"Unknown operation {call.operation}"))
    session = state.session(call.value("SessionID"), "soap")
    guid = session.guid if session else None
    login = session.login if session else None
    if call.operation in SESSIONLESS:
        book, _ = state.find_login(
            call.value("Username") or "", call.value("SecurityCode1") or "", call.value("SecurityCode2") or ""
        )
        guid = book.admin.guid if book else None
        login = state.login(call.value("Username"))
    # The credential the source's limits count this call under: the login (also on a wrong security code).
    key = f"{SOAP_KEY}{login}" if login else None

    async def serve() -> web.StreamResponse:
        faults = state.faults.matching("soap", guid, request.path)
        if session is not None and not admit(session, faults):
            return await send(request, too_many(1), None)
        try:
            early = await before(faults) if faults else None
            if early is not None:
                return await send(request, early, None)
            result = _answer(state, call, session, faults, login)
            reply = Reply(200, envelope(version, call.operation, result), content_type)
            return await send(request, reply, delivery(faults) if faults else None)
        finally:
            if session is not None:
                session.in_flight -= 1

    return await gated(request, state.gate, "soap", key, serve)


async def _refuse(request: web.Request, state: SandboxState, response: web.Response) -> web.StreamResponse:
    """A request that is not a SOAP call of this service: still a call, of no credential, through the limits."""

    async def serve() -> web.StreamResponse:
        return response

    return await gated(request, state.gate, "soap", None, serve)


def _answer(state: SandboxState, call: Call, session: Session | None, faults: list[Any], login: str | None) -> str:
    operation = call.operation
    if operation == "CloseSession":  # its answer has no ErrorMsg to refuse it with: never counted, never refused
        if session is not None:
            state.end_session(session.token)
        return ""
    if login is not None and not state.gate.soap_call(login):
        limit = state.gate.limits.soap_calls_per_month
        empty = "<SessionID />" if operation in SESSIONLESS else _EMPTY_RESULT[operation]
        return f"<{operation}Result>{_error(_monthly_limit(limit))}{empty}</{operation}Result>"
    if operation in SESSIONLESS:
        return f"<{operation}Result>{SESSIONLESS[operation](state, call, None)}</{operation}Result>"
    try:
        if not state.check_alive(session, faults):
            raise _Refused(NO_SESSION)
        assert session is not None
        code_2 = call.value("SecurityCode2") or ""
        expected = state.book(session.guid).admin.credentials.security_code_2
        account = [b.admin.credentials.security_code_2.lower() for b in state.account_books(session.guid)]
        if code_2.lower() != expected.lower() and code_2.lower() not in account:
            raise _Refused(BAD_CODE_2)
        session.calls += 1
        result = OPERATIONS[operation](state, call, session)
    except _Refused as refused:
        result = _error(refused.error) + _EMPTY_RESULT[operation]
    return f"<{operation}Result>{result}</{operation}Result>"


@lru_cache(maxsize=1)
def _wsdl_template() -> str:
    return WSDL_PATH.read_text(encoding="utf-8")


def wsdl_text(address: str) -> str:
    """The contract with ``address`` in ``soap:address`` and ``soap12:address``."""
    return re.sub(r'(<soap(?:12)?:address location=")[^"]*(")', rf"\g<1>{address}\g<2>", _wsdl_template())


def wsdl_or_page(request: web.Request) -> web.Response:
    if any(key.lower() == "wsdl" for key in request.query):
        address = f"{request.scheme}://{request.host}/soap.asmx"
        return web.Response(text=wsdl_text(address), content_type="text/xml", charset="utf-8")
    return web.Response(
        text="<html><body><h1>soapApp</h1><p>e-Boekhouden sandbox. The WSDL is at ?wsdl.</p></body></html>",
        content_type="text/html",
    )


def add_routes(app: web.Application) -> None:
    app.router.add_route("*", "/soap.asmx", handle)
