"""The control API: change the data, pay invoices, manage credentials, faults and limits, and read the truth.

``Controller`` is the one implementation; the HTTP routes under ``/_sandbox/`` and the ``Sandbox`` object's
methods both call it. Amounts go in as JSON numbers or strings and come out as Decimal (JSON numbers over HTTP).
The truth gives every mutation with its journal lines: signed, debit positive, summing to zero.
"""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date
from typing import Any

from aiohttp import web

from . import views
from .chart import VAT_CODES
from .faults import Fault
from .filters import ApiError
from .fleet import DEFAULT_MAXIMUM, DEFAULT_MINIMUM, FleetSpec, build_fleet
from .generator import MutationStream, generate_administration
from .habits import DAYS_AFTER_DUE, Habit
from .journal import row_vat
from .jsonenc import dumps, loads
from .limits import Limits
from .model import PAYMENT_TYPES, AdministrationInfo, Mutation, Row
from .money import ZERO, parse_amount
from .rest import STATE
from .state import SandboxState
from .store import Book

CONTROLLER: web.AppKey[Controller] = web.AppKey("sandbox_controller")


class ControlError(ValueError):
    """A control request that cannot be carried out (HTTP 400, or 404 for an unknown thing)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class Controller:
    def __init__(self, state: SandboxState, *, years: int, end_date: date, seed: int) -> None:
        self.state = state
        self.years = years
        self.end_date = end_date
        self.seed = seed
        self._extra = itertools.count(1)

    # -- administrations ------------------------------------------------------------------------------------------
    def administrations(self) -> list[AdministrationInfo]:
        return [self.state.info(book) for book in self.state.books.values()]

    def administration(self, guid: str) -> AdministrationInfo:
        return self.state.info(self._book(guid))

    def add_administration(self, *, mutations: int = 200, seed: str | None = None) -> AdministrationInfo:
        """A fresh administration on its own login, isolated from all others (for tests that change data)."""
        number = next(self._extra)
        seed = seed or f"{self.seed}/extra/{number}"
        account = max((b.admin.account for b in self.state.books.values()), default=0) + 1
        admin = generate_administration(
            seed, len(self.state.books), account, False, self.years, self.end_date, mutations=mutations
        )
        book = Book(admin, MutationStream(admin, mutations))
        self.state.add_book(book)
        return self.state.info(book)

    def remove_administration(self, guid: str) -> None:
        self._book(guid)
        self.state.remove_book(guid)

    def add_fleet(
        self,
        *,
        count: int,
        total_mutations: int,
        minimum: int = DEFAULT_MINIMUM,
        maximum: int = DEFAULT_MAXIMUM,
        seed: int | None = None,
    ) -> list[AdministrationInfo]:
        """``count`` administrations, each on its own login, with long-tailed sizes adding up to
        ``total_mutations`` (sandbox.fleet). The same seed gives the same books; a second fleet of the same seed
        would repeat the first one's GUIDs and keys, so it is refused."""
        try:
            fleet_seed = int(self.seed if seed is None else seed)
            spec = FleetSpec(int(count), int(total_mutations), int(minimum), int(maximum), fleet_seed)
            spec.check()
        except (TypeError, ValueError) as error:
            raise ControlError(str(error)) from error
        if any(book.admin.seed.startswith(spec.seed_prefix) for book in self.state.books.values()):
            raise ControlError(f"a fleet of seed {spec.seed} is there already; use another seed")
        account = max((b.admin.account for b in self.state.books.values()), default=0) + 1
        books = build_fleet(
            spec, first_index=len(self.state.books), first_account=account, years=self.years, end_date=self.end_date
        )
        for book in books:
            self.state.add_book(book)
        return [self.state.info(book) for book in books]

    # -- the truth ------------------------------------------------------------------------------------------------
    def truth_mutations(self, guid: str, start: date | None = None, end: date | None = None) -> list[dict[str, Any]]:
        book = self._book(guid)
        return [self._truth(book, m) for m in book if (not start or m.date >= start) and (not end or m.date <= end)]

    def truth_mutation(self, guid: str, mutation_id: int) -> dict[str, Any]:
        book = self._book(guid)
        mutation = book.mutations.get(mutation_id)
        if mutation is None:
            raise ControlError(f"no mutation {mutation_id}", 404)
        return self._truth(book, mutation)

    def outstanding(self, guid: str, cred_deb: str) -> list[dict[str, Any]]:
        side = cred_deb.upper()
        if side not in ("C", "D"):
            raise ControlError("credDeb must be C or D")
        return [views.outstanding_json(item) for item in self._book(guid).outstanding(side)]

    def relations(self, guid: str) -> list[dict[str, Any]]:
        """Every relation as the REST API shows it, in the generator's order."""
        return [views.relation_json(r) for r in self._book(guid).admin.relations]

    def payment_habits(self, guid: str) -> list[dict[str, Any]]:
        """Every relation's payment habit (sandbox.habits), in the generator's order: the truth of who pays how."""
        return [
            {
                "relationId": r.id,
                "code": r.code,
                "name": r.name,
                "credDeb": r.role,
                "habit": r.payment_habit,
                "daysAfterDue": _days_after_due(Habit(r.payment_habit)),
            }
            for r in self._book(guid).admin.relations
        ]

    def balances(
        self, guid: str, start: date | None = None, end: date | None = None, cost_centre_id: int | None = None
    ) -> list[dict[str, Any]]:
        book = self._book(guid)
        return [
            {
                "ledgerId": ledger_id,
                "code": book.ledgers[ledger_id].code,
                "category": book.ledgers[ledger_id].category,
                "balance": amount,
            }
            for ledger_id, amount in book.balances(start, end, cost_centre_id).items()
        ]

    def _truth(self, book: Book, mutation: Mutation) -> dict[str, Any]:
        data = views.mutation_json(book, mutation)
        data["lines"] = [
            {
                "ledgerId": line.ledger_id,
                "amount": line.amount,
                "kind": line.kind,
                **({"costCenterId": line.cost_centre_id} if line.cost_centre_id is not None else {}),
            }
            for line in book.lines(mutation)
        ]
        return data

    # -- changing the data ----------------------------------------------------------------------------------------
    def add_mutation(self, guid: str, data: dict[str, Any]) -> dict[str, Any]:
        book = self._book(guid)
        mutation_id = int(data.get("id") or book.next_id)
        if mutation_id in book.mutations:
            raise ControlError(f"mutation {mutation_id} exists")
        mutation = self._mutation(book, mutation_id, data, None)
        book.add(mutation)
        return self._truth(book, mutation)

    def edit_mutation(self, guid: str, mutation_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        book = self._book(guid)
        current = book.mutations.get(mutation_id)
        if current is None:
            raise ControlError(f"no mutation {mutation_id}", 404)
        mutation = self._mutation(book, mutation_id, changes, current)
        book.replace(mutation)
        return self._truth(book, mutation)

    def edit_relation(self, guid: str, relation_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change a relation's fields (``name``, ``city``, ...: the snake_case names of :class:`Relation`)."""
        return views.relation_json(self._edit_reference(guid, "relations", relation_id, changes))

    def edit_ledger(self, guid: str, ledger_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change a ledger's fields (``description``, ``code``, ...); the chart keeps its order."""
        return views.ledger_json(self._edit_reference(guid, "ledgers", ledger_id, changes))

    def _edit_reference(self, guid: str, kind: str, record_id: int, changes: dict[str, Any]) -> Any:
        """Replace one relation or ledger of the book (``kind`` names both the book's index and the
        administration's tuple) with the changed copy."""
        book = self._book(guid)
        records = getattr(book, kind)
        current = records.get(record_id)
        if current is None:
            raise ControlError(f"no {kind[:-1]} {record_id}", 404)
        unknown = (set(changes) - {f.name for f in dataclasses.fields(current)}) | ({"id"} & set(changes))
        if unknown:
            raise ControlError(f"{kind[:-1]} fields that cannot be changed: {', '.join(sorted(unknown))}")
        records[record_id] = changed = dataclasses.replace(current, **changes)
        field: dict[str, Any] = {kind: tuple(records.values())}
        book.admin = dataclasses.replace(book.admin, **field)
        book.version += 1
        return changed

    def delete_mutation(self, guid: str, mutation_id: int) -> None:
        book = self._book(guid)
        if mutation_id not in book.mutations:
            raise ControlError(f"no mutation {mutation_id}", 404)
        book.delete(mutation_id)

    def pay_invoice(
        self,
        guid: str,
        invoice_number: str,
        *,
        cred_deb: str | None = None,
        amount: object = None,
        on: date | None = None,
    ) -> dict[str, Any]:
        """Book a payment (type 3 or 4) of an invoice: by default its whole outstanding amount."""
        book = self._book(guid)
        sides = [cred_deb.upper()] if cred_deb else ["D", "C"]
        invoice = None
        side = "D"
        for side in sides:
            invoice = book.find_invoice(side, invoice_number)
            if invoice is not None:
                break
        if invoice is None:
            raise ControlError(f"no invoice {invoice_number}", 404)
        open_amount = next(
            (item.outstanding for item in book.outstanding(side) if item.mutation_id == invoice.id), ZERO
        )
        pay = parse_amount(amount) if amount is not None else open_amount
        if not pay:
            raise ControlError(f"invoice {invoice_number} has nothing outstanding")
        payment_type = next(t for t, s in PAYMENT_TYPES.items() if s == side)
        ledger = book.admin.ledger_by_category("DEB" if side == "D" else "CRED").id
        bank = book.admin.ledger_by_code("1100").id
        mutation = Mutation(
            book.next_id,
            payment_type,
            on or max(invoice.date, book.admin.end_date),
            bank,
            (Row(ledger, pay, "GEEN", ZERO, None, None, invoice.invoice_number, invoice.relation_id),),
            "IN",
            invoice.relation_id,
            invoice.invoice_number,
            "",
            0,
        )
        book.add(mutation)
        return self._truth(book, mutation)

    def _mutation(self, book: Book, mutation_id: int, data: dict[str, Any], current: Mutation | None) -> Mutation:
        def pick(name: str, default: Any) -> Any:
            return data.get(name, default)

        try:
            mutation_type = int(pick("type", current.type if current else 0))
            if mutation_type not in range(1, 8) and not (current and current.type == 0 and mutation_type == 0):
                raise ControlError("type must be 1..7")
            day = pick("date", current.date if current else None)
            day = date.fromisoformat(day) if isinstance(day, str) else day
            if not isinstance(day, date):
                raise ControlError("date is required (YYYY-MM-DD)")
            in_ex = str(pick("inExVat", current.in_ex_vat if current else "EX")).upper()
            if in_ex not in ("IN", "EX"):
                raise ControlError("inExVat must be IN or EX")
            ledger_id = int(pick("ledgerId", current.ledger_id if current else 0))
            if mutation_type and ledger_id not in book.ledgers:
                raise ControlError(f"unknown ledger {ledger_id}")
            relation_id = pick("relationId", current.relation_id if current else None)
            if relation_id is not None and int(relation_id) not in book.relations:
                raise ControlError(f"unknown relation {relation_id}")
            if "rows" in data:
                rows = tuple(self._row(book, mutation_type, in_ex, raw) for raw in data["rows"])
            elif current is not None:
                rows = tuple(
                    r
                    if mutation_type in (3, 4, 7, 0)
                    else Row(
                        r.ledger_id,
                        r.amount,
                        r.vat_code,
                        row_vat(in_ex, r.amount, r.vat_code),
                        r.cost_centre_id,
                        r.description,
                        r.invoice_number,
                        r.relation_id,
                    )
                    for r in current.rows
                )
            else:
                raise ControlError("rows are required")
            if not rows:
                raise ControlError("a mutation needs at least one row")
            return Mutation(
                mutation_id,
                mutation_type,
                day,
                ledger_id,
                rows,
                in_ex,
                int(relation_id) if relation_id is not None else None,
                str(pick("invoiceNumber", current.invoice_number if current else "")),
                str(pick("entryNumber", current.entry_number if current else "")),
                int(pick("termOfPayment", current.term_of_payment if current else 0)),
                pick("description", current.description if current else None),
            )
        except (TypeError, ValueError, ArithmeticError) as error:
            if isinstance(error, ControlError):
                raise
            raise ControlError(str(error)) from error

    def _row(self, book: Book, mutation_type: int, in_ex: str, raw: dict[str, Any]) -> Row:
        ledger_id = int(raw["ledgerId"])
        if ledger_id not in book.ledgers:
            raise ControlError(f"unknown ledger {ledger_id}")
        amount = parse_amount(raw["amount"])
        vat_code = str(raw.get("vatCode") or "GEEN")
        if vat_code not in VAT_CODES:
            raise ControlError(f"unknown VAT code {vat_code}")
        if mutation_type in (1, 2, 5, 6):
            given = raw.get("vatAmount")
            vat = parse_amount(given) if given is not None else row_vat(in_ex, amount, vat_code)
        else:
            vat = ZERO
        centre = raw.get("costCenterId")
        relation = raw.get("relationId")
        return Row(
            ledger_id,
            amount,
            vat_code,
            vat,
            int(centre) if centre is not None else None,
            raw.get("description"),
            raw.get("invoiceNumber"),
            int(relation) if relation is not None else None,
        )

    # -- credentials ----------------------------------------------------------------------------------------------
    def rotate_token(self, guid: str, kind: str = "token") -> AdministrationInfo:
        self._book(guid)
        self.state.rotate(guid, _kind(kind))
        return self.administration(guid)

    def expire_token(self, guid: str, kind: str = "token") -> AdministrationInfo:
        self._book(guid)
        self.state.set_api_status(guid, _kind(kind), "expired")
        return self.administration(guid)

    def revoke_token(self, guid: str, kind: str = "token") -> AdministrationInfo:
        self._book(guid)
        self.state.set_api_status(guid, _kind(kind), "revoked")
        return self.administration(guid)

    def restore_token(self, guid: str, kind: str = "token") -> AdministrationInfo:
        self._book(guid)
        self.state.set_api_status(guid, _kind(kind), "active")
        return self.administration(guid)

    # -- faults ---------------------------------------------------------------------------------------------------
    def set_fault(self, settings: dict[str, Any]) -> dict[str, Any]:
        settings = dict(settings)
        token = settings.pop("token", None)
        if token is not None:
            book, _ = self.state.find_token(str(token))
            if book is None:
                raise ControlError("unknown token")
            settings["administration"] = book.admin.guid
        try:
            fault = Fault.from_dict(settings)
        except (TypeError, ValueError) as error:
            raise ControlError(str(error)) from error
        if fault.administration is not None:
            self._book(fault.administration)
        return self.state.faults.add(fault).as_dict()

    def clear_faults(self, fault_id: int | None = None, administration: str | None = None) -> int:
        return self.state.faults.clear(fault_id, administration)

    def faults(self) -> list[dict[str, Any]]:
        return [fault.as_dict() for fault in self.state.faults.faults.values()]

    # -- the source's limits and the counters --------------------------------------------------------------------
    def limits(self) -> dict[str, Any]:
        return self.state.gate.limits.as_dict()

    def set_limits(self, settings: dict[str, Any], *, replace: bool = False) -> dict[str, Any]:
        """Change the given limits (the others stay), or with ``replace`` set exactly these (the others off)."""
        gate = self.state.gate
        try:
            limits = Limits.from_dict(settings, None if replace else gate.limits)
        except (TypeError, ValueError, ArithmeticError) as error:
            raise ControlError(str(error)) from error
        gate.set_limits(limits)
        return limits.as_dict()

    def clear_limits(self) -> dict[str, Any]:
        return self.set_limits({}, replace=True)

    def stats(self) -> dict[str, Any]:
        return self.state.gate.stats()

    def reset_stats(self) -> dict[str, Any]:
        self.state.gate.reset_stats()
        return self.state.gate.stats()

    def set_soap_calls_used(self, username: str, used: int) -> dict[str, Any]:
        """Set how many SOAP calls a login has used this month (say 4,990 of 5,000, to meet the cap soon)."""
        login = self.state.login(username)
        if login is None:
            raise ControlError(f"no login {username}", 404)
        try:
            return self.state.gate.set_soap_used(login, int(used))
        except (TypeError, ValueError) as error:
            raise ControlError(str(error)) from error

    def soap_calls_used(self) -> dict[str, int]:
        return self.state.gate.soap_calls_used()

    def _book(self, guid: str) -> Book:
        book = self.state.books.get(guid) or next(
            (b for b in self.state.books.values() if b.admin.guid.lower() == guid.lower()), None
        )
        if book is None:
            raise ControlError(f"no administration {guid}", 404)
        return book


def _days_after_due(habit: Habit) -> list[int] | None:
    """The days after the due date a relation of ``habit`` pays a whole invoice in, where the habit fixes them."""
    days = DAYS_AFTER_DUE.get(habit)
    return list(days) if days else None


def _kind(kind: str) -> str:
    if kind not in ("token", "legacy"):
        raise ControlError("kind must be token or legacy")
    return kind


# -- HTTP -----------------------------------------------------------------------------------------------------------
def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, text=dumps(data), content_type="application/json")


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ControlError(f"not a date: {value}") from None


async def _body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw:
        return {}
    try:
        data = loads(raw)
    except ValueError:
        raise ControlError("the body must be JSON") from None
    if not isinstance(data, dict):
        raise ControlError("the body must be a JSON object")
    return data


@web.middleware
async def _errors(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except ControlError as error:
        return _json({"error": str(error)}, error.status)
    except ApiError as error:
        return _json({"error": error.title}, error.status)


def _info(info: AdministrationInfo) -> dict[str, Any]:
    return info.as_dict()


async def index(request: web.Request) -> web.Response:
    c = request.app[CONTROLLER]
    return _json(
        {"administrations": [_info(i) for i in c.administrations()], "faults": c.faults(), "limits": c.limits()}
    )


async def administrations(request: web.Request) -> web.Response:
    c = request.app[CONTROLLER]
    if request.method == "POST":
        data = await _body(request)
        info = c.add_administration(mutations=int(data.get("mutations", 200)), seed=data.get("seed"))
        return _json(_info(info), 201)
    return _json([_info(i) for i in c.administrations()])


async def administration(request: web.Request) -> web.Response:
    c, guid = request.app[CONTROLLER], request.match_info["guid"]
    if request.method == "DELETE":
        c.remove_administration(guid)
        return web.Response(status=204)
    return _json(_info(c.administration(guid)))


async def mutations(request: web.Request) -> web.Response:
    c, guid = request.app[CONTROLLER], request.match_info["guid"]
    if request.method == "POST":
        return _json(c.add_mutation(guid, await _body(request)), 201)
    query = request.query
    return _json(c.truth_mutations(guid, _date(query.get("from")), _date(query.get("to"))))


async def mutation(request: web.Request) -> web.Response:
    c, guid = request.app[CONTROLLER], request.match_info["guid"]
    try:
        mutation_id = int(request.match_info["id"])
    except ValueError:
        raise ControlError("not a mutation id", 404) from None
    if request.method == "DELETE":
        c.delete_mutation(guid, mutation_id)
        return web.Response(status=204)
    if request.method in ("PATCH", "PUT"):
        return _json(c.edit_mutation(guid, mutation_id, await _body(request)))
    return _json(c.truth_mutation(guid, mutation_id))


async def payments(request: web.Request) -> web.Response:
    c, guid = request.app[CONTROLLER], request.match_info["guid"]
    data = await _body(request)
    if not data.get("invoiceNumber"):
        raise ControlError("invoiceNumber is required")
    result = c.pay_invoice(
        guid,
        str(data["invoiceNumber"]),
        cred_deb=data.get("credDeb"),
        amount=data.get("amount"),
        on=_date(data.get("date")),
    )
    return _json(result, 201)


async def outstanding(request: web.Request) -> web.Response:
    c, guid = request.app[CONTROLLER], request.match_info["guid"]
    return _json(c.outstanding(guid, request.query.get("credDeb", "D")))


async def payment_habits(request: web.Request) -> web.Response:
    c, guid = request.app[CONTROLLER], request.match_info["guid"]
    return _json(c.payment_habits(guid))


async def balances(request: web.Request) -> web.Response:
    c, guid = request.app[CONTROLLER], request.match_info["guid"]
    query = request.query
    centre = query.get("costCenterId")
    return _json(c.balances(guid, _date(query.get("from")), _date(query.get("to")), int(centre) if centre else None))


async def credentials(request: web.Request) -> web.Response:
    c, guid, action = request.app[CONTROLLER], request.match_info["guid"], request.match_info["action"]
    kind = str((await _body(request)).get("kind", "token"))
    handlers = {
        "rotate": c.rotate_token,
        "expire": c.expire_token,
        "revoke": c.revoke_token,
        "restore": c.restore_token,
    }
    if action not in handlers:
        raise ControlError(f"unknown action {action}", 404)
    return _json(_info(handlers[action](guid, kind)))


async def faults(request: web.Request) -> web.Response:
    c = request.app[CONTROLLER]
    if request.method == "POST":
        return _json(c.set_fault(await _body(request)), 201)
    if request.method == "DELETE":
        return _json({"cleared": c.clear_faults(administration=request.query.get("administration"))})
    return _json(c.faults())


async def fault(request: web.Request) -> web.Response:
    c = request.app[CONTROLLER]
    try:
        fault_id = int(request.match_info["id"])
    except ValueError:
        raise ControlError("not a fault id", 404) from None
    if not c.clear_faults(fault_id):
        raise ControlError(f"no fault {fault_id}", 404)
    return web.Response(status=204)


async def limits(request: web.Request) -> web.Response:
    c = request.app[CONTROLLER]
    if request.method in ("PUT", "PATCH"):
        return _json(c.set_limits(await _body(request), replace=request.method == "PUT"))
    if request.method == "DELETE":
        return _json(c.clear_limits())
    if request.method != "GET":
        raise web.HTTPMethodNotAllowed(request.method, ["GET", "PUT", "PATCH", "DELETE"])
    return _json(c.limits())


async def stats(request: web.Request) -> web.Response:
    return _json(request.app[CONTROLLER].stats())


async def stats_reset(request: web.Request) -> web.Response:
    return _json(request.app[CONTROLLER].reset_stats())


async def soap_calls(request: web.Request) -> web.Response:
    return _json(request.app[CONTROLLER].soap_calls_used())


async def soap_calls_of(request: web.Request) -> web.Response:
    data = await _body(request)
    if "used" not in data:
        raise ControlError("used is required")
    return _json(request.app[CONTROLLER].set_soap_calls_used(request.match_info["username"], data["used"]))


async def fleet(request: web.Request) -> web.Response:
    c = request.app[CONTROLLER]
    data = await _body(request)
    if "count" not in data:
        raise ControlError("count is required")
    count = data["count"]
    infos = c.add_fleet(
        count=count,
        total_mutations=data.get("totalMutations", data.get("total_mutations", _int_or(count) * 1000)),
        minimum=data.get("minimum", DEFAULT_MINIMUM),
        maximum=data.get("maximum", DEFAULT_MAXIMUM),
        seed=data.get("seed"),
    )
    return _json([_info(i) for i in infos], 201)


def _int_or(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError("count must be a whole number") from None


async def relation(request: web.Request) -> web.Response:
    c, guid = request.app[CONTROLLER], request.match_info["guid"]
    return _json(c.edit_relation(guid, _int(request.match_info["id"]), await _body(request)))


async def ledger(request: web.Request) -> web.Response:
    c, guid = request.app[CONTROLLER], request.match_info["guid"]
    return _json(c.edit_ledger(guid, _int(request.match_info["id"]), await _body(request)))


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ControlError(f"not an id: {text!r}", 404) from None


def control_app(controller: Controller) -> web.Application:
    app = web.Application(middlewares=[_errors])
    app[CONTROLLER] = controller
    app[STATE] = controller.state
    route = app.router.add_route
    route("GET", "/", index)
    route("*", "/administrations", administrations)
    route("*", "/administrations/{guid}", administration)
    route("*", "/administrations/{guid}/mutations", mutations)
    route("*", "/administrations/{guid}/mutations/{id}", mutation)
    route("PATCH", "/administrations/{guid}/relations/{id}", relation)
    route("PATCH", "/administrations/{guid}/ledgers/{id}", ledger)
    route("POST", "/administrations/{guid}/payments", payments)
    route("GET", "/administrations/{guid}/outstanding", outstanding)
    route("GET", "/administrations/{guid}/balances", balances)
    route("GET", "/administrations/{guid}/payment-habits", payment_habits)
    route("POST", "/administrations/{guid}/credentials/{action}", credentials)
    route("*", "/faults", faults)
    route("DELETE", "/faults/{id}", fault)
    route("*", "/limits", limits)
    route("GET", "/stats", stats)
    route("POST", "/stats/reset", stats_reset)
    route("GET", "/soap-calls", soap_calls)
    route("PUT", "/soap-calls/{username}", soap_calls_of)
    route("POST", "/fleet", fleet)
    return app
