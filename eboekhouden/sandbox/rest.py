"""The REST API (``/v1/...``) as the OpenAPI contract and the field notes describe it.

Every handler is a plain function from (request data, state, session) to a ``Reply``; ``endpoint`` wraps it with
what every call shares: the session check (401 without a body), faults, error bodies and JSON encoding.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import date
from itertools import islice
from typing import Any

from aiohttp import web

from . import views
from .faults import Reply, admit, before, delivery, send, too_many
from .filters import ApiError, Field, build, paging, parse_date
from .jsonenc import dumps, loads
from .limits import REST_KEY, gated
from .model import Mutation
from .state import SandboxState, Session
from .store import Book

STATE: web.AppKey[SandboxState] = web.AppKey("sandbox_state", SandboxState)
SOURCE_PATTERN = re.compile(r"^[\w_ ]{1,10}$")
Handler = Callable[[web.Request, SandboxState, Session | None], Awaitable[Reply]]


def json_reply(data: Any, status: int = 200) -> Reply:
    return Reply(status, dumps(data).encode())


def error_reply(error: ApiError) -> Reply:
    body: dict[str, Any] = {"type": error.kind, "title": error.title, "status": error.status}
    if error.kind == "security":
        body["securityType"] = "0"
    if error.code:
        body["code"] = error.code
    if error.prop:
        body["propertyName"] = error.prop
    if error.kind == "validation":
        body["errors"] = [error.title]
    body["traceId"] = uuid.uuid4().hex
    return json_reply(body, error.status)


def auth_token(request: web.Request) -> str | None:
    value = request.headers.get("Authorization", "").strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    return value or None


def endpoint(fn: Handler, *, auth: bool = True) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        session = state.session(auth_token(request), "rest") if auth else None
        guid = session.guid if session else None
        if not auth and request.method == "POST":
            guid = await _token_owner(request, state)
        # The credential the source's limits count this request under: the session's, or the token's being sent.
        key = session.key if session is not None else (f"{REST_KEY}{guid}" if guid else None)

        async def serve() -> web.StreamResponse:
            faults = state.faults.matching("rest", guid, request.path)
            if session is not None and not admit(session, faults):
                return await send(request, too_many(1), None)
            try:
                early = await before(faults) if faults else None
                if early is not None:
                    return await send(request, early, None)
                if auth and not state.check_alive(session, faults):
                    return web.Response(status=401)
                if session is not None:
                    session.calls += 1
                try:
                    reply = await fn(request, state, session)
                except ApiError as error:
                    reply = error_reply(error)
                return await send(request, reply, delivery(faults) if faults else None)
            finally:
                if session is not None:
                    session.in_flight -= 1

        return await gated(request, state.gate, "rest", key, serve)

    return handler


async def _token_owner(request: web.Request, state: SandboxState) -> str | None:
    try:
        data = loads(await request.read())
    except ValueError:
        return None
    token = _get(data, "accessToken") if isinstance(data, dict) else None
    if not isinstance(token, str):
        return None
    book, _ = state.find_token(token)
    return book.admin.guid if book else None


def _get(data: dict[str, Any], name: str) -> Any:
    """A JSON property, matched case-insensitively as the service binds them."""
    lowered = name.lower()
    for key, value in data.items():
        if key.lower() == lowered:
            return value
    return None


def _book(state: SandboxState, session: Session | None) -> Book:
    assert session is not None  # endpoint() has checked it
    return state.book(session.guid)


def _page(items: Iterable[Any], query: Any, total: int | None = None) -> Reply:
    limit, offset = paging(query)
    if total is None:
        matched = list(items)
        return json_reply({"items": matched[offset : offset + limit], "count": len(matched)})
    return json_reply({"items": list(islice(items, offset, offset + limit)), "count": total})


def _int_id(request: web.Request) -> int | None:
    try:
        return int(request.match_info["id"])
    except ValueError:
        return None


# -- session --------------------------------------------------------------------------------------------------------
async def session_create(request: web.Request, state: SandboxState, _: Session | None) -> Reply:
    try:
        data = loads(await request.read())
    except ValueError:
        data = None
    if not isinstance(data, dict):
        data = {}
    source, token = _get(data, "source"), _get(data, "accessToken")
    if source is None or source == "":
        raise ApiError(400, "API_SESSION_001", "Source is missing.", "source")
    if not isinstance(source, str) or not SOURCE_PATTERN.match(source):
        raise ApiError(400, "API_SESSION_002", "Source does not match pattern.", "source")
    if not isinstance(token, str) or not token.strip():
        raise ApiError(400, "API_SESSION_003", "Access token is missing or empty.", "accessToken")
    book, api_status = state.find_token(token)
    if book is None or api_status == "invalid":
        raise ApiError(403, None, "The access token is not valid.", "accessToken", kind="security")
    if api_status == "expired":
        raise ApiError(400, "API_SESSION_004", "Access token has expired.", "accessToken")
    session = state.open_session(book.admin.guid, "rest")
    return json_reply({"token": session.token, "expiresIn": state.session_seconds})


async def session_delete(request: web.Request, state: SandboxState, session: Session | None) -> Reply:
    assert session is not None
    state.end_session(session.token)
    return Reply(204, b"", None)


# -- administrations ------------------------------------------------------------------------------------------------
def _administrations(state: SandboxState, session: Session | None) -> list[dict[str, Any]]:
    assert session is not None
    return [{"guid": b.admin.guid, "company": b.admin.company} for b in state.account_books(session.guid)]


async def administration_linked(request: web.Request, state: SandboxState, session: Session | None) -> Reply:
    return _page(_administrations(state, session), request.query)


async def administration_list(request: web.Request, state: SandboxState, session: Session | None) -> Reply:
    if not _book(state, session).admin.accountant:
        raise ApiError(403, "EP_001", "This endpoint is only available to accountants.", kind="security")
    return _page(_administrations(state, session), request.query)


# -- ledgers --------------------------------------------------------------------------------------------------------
LEDGER_FIELDS = {
    "code": Field("string", lambda ledger: ledger.code),
    "category": Field("string", lambda ledger: ledger.category),
}


async def ledger_list(request: web.Request, state: SandboxState, session: Session | None) -> Reply:
    book = _book(state, session)
    test = build(request.query, LEDGER_FIELDS)
    ledgers = sorted(book.admin.ledgers, key=lambda ledger: ledger.code)
    return _page((views.ledger_json(lg) for lg in ledgers if test is None or test(lg)), request.query)


async def ledger_detail(request: web.Request, state: SandboxState, session: Session | None) -> Reply:
    ledger = _book(state, session).ledgers.get(_int_id(request) or -1)
    if ledger is None:
        raise ApiError(404, "LEDG_011", "Ledger not found.", "id", kind="notfound")
    return json_reply(views.ledger_json(ledger))


def _period(request: web.Request) -> tuple[date | None, date | None, int | None]:
    query = {key.lower(): value for key, value in request.query.items()}
    start = parse_date(query["from"], "from") if query.get("from") else None
    end = parse_date(query["to"], "to") if query.get("to") else None
    centre = None
    if query.get("costcenterid"):
        try:
            centre = int(query["costcenterid"])
        except ValueError:
            raise ApiError(400, "ERR_002", "Your request contains an invalid value.", "costCenterId") from None
    return start, end, centre


async def ledger_balances(request: web.Request, state: SandboxState, session: Session | None) -> Reply:
    book = _book(state, session)
    start, end, centre = _period(request)
    balances = book.balances(start, end, centre)
    items = [views.balance_json(book.ledgers[ledger_id], amount) for ledger_id, amount in balances.items()]
    return json_reply({"items": items, "count": len(items)})


async def ledger_balance(request: web.Request, state: SandboxState, session: Session | None) -> Reply:
    book = _book(state, session)
    ledger = book.ledgers.get(_int_id(request) or -1)
    if ledger is None:
        raise ApiError(404, "LEDG_011", "Ledger not found.", "id", kind="notfound")
    start, end, centre = _period(request)
    return json_reply(views.balance_json(ledger, book.balance(ledger.id, start, end, centre)))


# -- mutations ------------------------------------------------------------------------------------------------------
def _mutation_fields(book: Book) -> dict[str, Field]:
    return {
        "id": Field("int", lambda m: m.id),
        "type": Field("int", lambda m: m.type),
        "date": Field("date", lambda m: m.date),
        "invoicenumber": Field("string", lambda m: m.invoice_number),
        "description": Field("string", lambda m: views.describe(book, m)),
    }


def _headers(book: Book, test: Callable[[Mutation], bool] | None) -> Iterator[dict[str, Any]]:
    for mutation in book:
        if test is not None and not test(mutation):
            continue
        if mutation.id == 0:
            yield from views.opening_items_json(mutation)
        else:
            yield views.header_json(mutation)


async def mutation_list(request: web.Request, state: SandboxState, session: Session | None) -> Reply:
    book = _book(state, session)
    test = build(request.query, _mutation_fields(book))
    if test is None:
        paging(request.query)  # validate before the cheap path
        opening = book.mutations.get(0)
        total = len(book.mutations) - (1 if opening else 0) + (len(opening.rows) if opening else 0)
        return _page(_headers(book, None), request.query, total)
    window = _date_range(request.query)
    return _counted_page(book.dated(*window) if window else iter(book), test, request.query)


def _date_range(query: Any) -> tuple[date, date] | None:
    """The days of a ``date[range]`` filter, so that the book finds the mutations by date; None without one (or
    with one that the filter itself refuses). The filter still tests every mutation found."""
    for name, raw in query.items():
        if name.lower() == "date[range]" and name.endswith("[range]"):  # the operator is matched as written
            low, _, high = raw.partition(",")
            try:
                return date.fromisoformat(low.strip()), date.fromisoformat(high.strip())
            except ValueError:
                return None
    return None


def _counted_page(mutations: Iterable[Mutation], test: Callable[[Mutation], bool], query: Any) -> Reply:
    """The page of list items of the mutations that pass ``test``, and how many items pass in all; only the page's
    items are written out (a wide window's count costs a look at each mutation, not a header of each)."""
    limit, offset = paging(query)
    items: list[dict[str, Any]] = []
    count = 0
    for mutation in mutations:
        if not test(mutation):
            continue
        if mutation.id == 0:  # the opening balance lists as one item per ledger
            listed = views.opening_items_json(mutation)
            if count < offset + limit and count + len(listed) > offset:
                items += listed[max(0, offset - count) : offset + limit - count]
            count += len(listed)
            continue
        if offset <= count < offset + limit:
            items.append(views.header_json(mutation))
        count += 1
    return json_reply({"items": items, "count": count})


async def mutation_detail(request: web.Request, state: SandboxState, session: Session | None) -> Reply:
    book = _book(state, session)
    mutation_id = _int_id(request)
    mutation = book.mutations.get(mutation_id) if mutation_id else None
    if mutation is None:
        raise ApiError(404, "MUT_300", "Mutation not found.", "id", kind="notfound")
    return json_reply(views.mutation_json(book, mutation))


async def outstanding(request: web.Request, state: SandboxState, session: Session | None) -> Reply:
    book = _book(state, session)
    query = {key.lower(): value for key, value in request.query.items()}
    cred_deb = query.get("creddeb")
    if not cred_deb:
        raise ApiError(400, "MUTA_006", "Credit/Debit is missing.", "credDeb")
    if cred_deb.upper() not in ("C", "D"):
        raise ApiError(400, "MUTA_007", "Credit/Debit must be 'C' or 'D'.", "credDeb")
    test = build(request.query, {"invoicenumber": Field("string", lambda item: item.invoice_number)})
    items = (views.outstanding_json(item) for item in book.outstanding(cred_deb.upper()) if test is None or test(item))
    return _page(items, request.query)


# -- relations and cost centres -------------------------------------------------------------------------------------
RELATION_FIELDS = {
    "code": Field("string", lambda r: r.code),
    "type": Field("string", lambda r: r.type),
    "email": Field("string", lambda r: r.email),
    "name": Field("string", lambda r: r.name),
    "contact": Field("string", lambda r: r.contact),
    "city": Field("string", lambda r: r.city),
}


async def relation_list(request: web.Request, state: SandboxState, session: Session | None) -> Reply:
    book = _book(state, session)
    test = build(request.query, RELATION_FIELDS)
    return _page((views.relation_json(r) for r in book.admin.relations if test is None or test(r)), request.query)


async def relation_detail(request: web.Request, state: SandboxState, session: Session | None) -> Reply:
    relation = _book(state, session).relations.get(_int_id(request) or -1)
    if relation is None:
        raise ApiError(404, "REL_055", "Relation not found.", "id", kind="notfound")
    return json_reply(views.relation_json(relation))


COST_CENTRE_FIELDS = {
    "parentid": Field("string", lambda c: str(c.parent_id)),
    "description": Field("string", lambda c: c.description),
}


async def cost_centre_list(request: web.Request, state: SandboxState, session: Session | None) -> Reply:
    book = _book(state, session)
    test = build(request.query, COST_CENTRE_FIELDS)
    return _page((views.cost_centre_json(c) for c in book.admin.cost_centres if test is None or test(c)), request.query)


async def not_found(request: web.Request, state: SandboxState, session: Session | None) -> Reply:
    raise ApiError(404, None, "Not Found", kind="notfound")


def add_routes(app: web.Application) -> None:
    get = app.router.add_get
    app.router.add_post("/v1/session", endpoint(session_create, auth=False))
    app.router.add_delete("/v1/session", endpoint(session_delete))
    get("/v1/administration", endpoint(administration_list), allow_head=False)
    get("/v1/administration/linked", endpoint(administration_linked), allow_head=False)
    get("/v1/ledger", endpoint(ledger_list), allow_head=False)
    get("/v1/ledger/balances", endpoint(ledger_balances), allow_head=False)
    get("/v1/ledger/{id}", endpoint(ledger_detail), allow_head=False)
    get("/v1/ledger/{id}/balance", endpoint(ledger_balance), allow_head=False)
    get("/v1/mutation", endpoint(mutation_list), allow_head=False)
    get("/v1/mutation/invoice/outstanding", endpoint(outstanding), allow_head=False)
    get("/v1/mutation/{id}", endpoint(mutation_detail), allow_head=False)
    get("/v1/relation", endpoint(relation_list), allow_head=False)
    get("/v1/relation/{id}", endpoint(relation_detail), allow_head=False)
    get("/v1/costcenter", endpoint(cost_centre_list), allow_head=False)
    app.router.add_route("*", "/v1/{tail:.*}", endpoint(not_found))
