"""What the REST API shows, derived from a book: camelCase dicts ready for ``jsonenc.dumps``.

Descriptions the generator left empty are derived here from the type, the relation and the ledgers, so the
stored data stays small and the text stays the same for the same data.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .journal import mutation_amount, vat_totals
from .model import CostCentre, Ledger, Mutation, Relation, Row
from .store import Book, OutstandingItem

VAT_RATED = frozenset({"HOOG_VERK_21", "LAAG_VERK_9", "HOOG_INK_21", "LAAG_INK_9"})


def ledger_json(ledger: Ledger) -> dict[str, Any]:
    return {
        "id": ledger.id,
        "code": ledger.code,
        "description": ledger.description,
        "category": ledger.category,
        "group": ledger.group,
    }


def balance_json(ledger: Ledger, balance: Decimal) -> dict[str, Any]:
    return {"code": ledger.code, "type": ledger.category, "balance": balance}


def cost_centre_json(centre: CostCentre) -> dict[str, Any]:
    return {"id": centre.id, "description": centre.description, "parentId": centre.parent_id, "active": centre.active}


def relation_json(relation: Relation) -> dict[str, Any]:
    return {
        "id": relation.id,
        "type": relation.type,
        "code": relation.code,
        "date": relation.created.isoformat(),
        "name": relation.name,
        "salutation": "",
        "contact": relation.contact,
        "gender": relation.gender,
        "address": relation.address,
        "postalCode": relation.postal_code,
        "city": relation.city,
        "country": relation.country,
        "address2": "",
        "postalCode2": "",
        "city2": "",
        "country2": "",
        "phoneNumber": relation.phone,
        "mobilePhoneNumber": "",
        "faxNumber": "",
        "emailAddress": relation.email,
        "emailAddressInvoice": relation.email,
        "emailAddressReminder": relation.email_reminder,
        "website": relation.website,
        "note": "",
        "vatNumber": relation.vat_number,
        "inactive": relation.inactive,
        "termOfPayment": relation.term_of_payment,
        "companyRegistrationNumber": relation.coc_number,
        "iban": relation.iban,
        "bic": relation.bic,
        "doNotReceiveNewsletters": 0,
        "ledgerId": relation.ledger_id,
        "mandate": False,
        "mandateType": "E",
        "mandateId": "",
        "mandateSignedDate": None,
    }


def header_json(mutation: Mutation) -> dict[str, Any]:
    return {
        "id": mutation.id,
        "type": mutation.type,
        "date": mutation.date.isoformat(),
        "invoiceNumber": mutation.invoice_number,
        "ledgerId": mutation.ledger_id,
        "amount": mutation_amount(mutation),
        "entryNumber": mutation.entry_number,
    }


def opening_items_json(mutation: Mutation) -> list[dict[str, Any]]:
    """The opening balance as the list shows it: one id-0, type-0 item per ledger."""
    day = mutation.date.isoformat()
    return [
        {
            "id": 0,
            "type": 0,
            "date": day,
            "invoiceNumber": "",
            "ledgerId": row.ledger_id,
            "amount": row.amount,
            "entryNumber": "",
        }
        for row in mutation.rows
    ]


def describe(book: Book, mutation: Mutation) -> str:
    if mutation.description is not None:
        return mutation.description
    relation = book.relations.get(mutation.relation_id or 0)
    name = relation.name if relation else ""
    first_row = book.ledgers.get(mutation.rows[0].ledger_id) if mutation.rows else None
    first = first_row.description if first_row else ""
    match mutation.type:
        case 0:
            return "Beginbalans"
        case 1:
            return f"Factuur {mutation.invoice_number} {name}".strip()
        case 2:
            return f"Factuur {mutation.invoice_number}"
        case 3:
            return f"Ontvangst {name} factuur {mutation.invoice_number}".strip()
        case 4:
            return f"Betaling {name} factuur {mutation.invoice_number}".strip()
        case 5:
            return f"Ontvangen: {first}"
        case 6:
            return f"Betaald: {first}"
        case _:
            header = book.ledgers.get(mutation.ledger_id)
            return f"Memoriaal {header.description if header else ''}".strip()


def row_description(book: Book, row: Row) -> str:
    if row.description is not None:
        return row.description
    ledger = book.ledgers.get(row.ledger_id)
    return ledger.description if ledger else ""


def row_json(book: Book, mutation: Mutation, row: Row) -> dict[str, Any]:
    data: dict[str, Any] = {"ledgerId": row.ledger_id, "vatCode": row.vat_code}
    if row.vat_code in VAT_RATED and mutation.type in (1, 2, 5, 6):
        data["vatAmount"] = row.vat_amount
    if row.cost_centre_id is not None:
        data["costCenterId"] = row.cost_centre_id
    data["amount"] = row.amount
    data["description"] = row_description(book, row)
    if row.invoice_number:
        data["invoiceNumber"] = row.invoice_number
    if row.relation_id is not None:
        data["relationId"] = row.relation_id
    return data


def mutation_json(book: Book, mutation: Mutation) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": mutation.id,
        "type": mutation.type,
        "date": mutation.date.isoformat(),
        "description": describe(book, mutation),
        "termOfPayment": mutation.term_of_payment,
        "ledgerId": mutation.ledger_id,
    }
    if mutation.relation_id is not None:
        data["relationId"] = mutation.relation_id
    data["inExVat"] = mutation.in_ex_vat
    data["invoiceNumber"] = mutation.invoice_number
    data["entryNumber"] = mutation.entry_number
    data["rows"] = [row_json(book, mutation, row) for row in mutation.rows]
    data["vat"] = [{"vatCode": code, "amount": amount} for code, amount in vat_totals(mutation).items()]
    return data


def outstanding_json(item: OutstandingItem) -> dict[str, Any]:
    relation = item.relation
    return {
        "date": item.date.isoformat(),
        "mutationId": item.mutation_id,
        "invoiceNumber": item.invoice_number,
        "relationId": item.relation_id,
        "relationCode": relation.code if relation else "",
        "company": relation.name if relation else "",
        "totalAmount": item.total,
        "paidAmount": item.paid,
        "outstandingAmount": item.outstanding,
    }
