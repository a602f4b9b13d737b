"""A ledger file's words as the ledger's vocabulary: account types as roles and kinds, entries as transaction types.

Account types (the ``account_type`` column), in English or Dutch, case and spaces aside:

| type                                   | role       | kind            |
|----------------------------------------|------------|-----------------|
| revenue, income, sales; omzet, opbrengst(en), verkoop | revenue | profit and loss |
| cost, costs, expense(s); kosten, kost, uitgaven | cost    | profit and loss |
| bank, cash; kas, liquide middelen      | cash       | balance sheet   |
| receivable, debtors; debiteur(en), vordering(en) | receivable | balance sheet |
| payable, creditors; crediteur(en)      | payable    | balance sheet   |
| vat, tax; btw                          | vat        | balance sheet   |
| equity, capital; eigen vermogen, vermogen, kapitaal, privé | equity | balance sheet |
| asset, fixed asset; activa, actief, vaste activa | asset | balance sheet |
| liability, debt; passiva, schuld(en), lening | liability | balance sheet |
| balance sheet; balans                  | unspecified| balance sheet   |
| profit and loss, p&l; winst en verlies, resultaat | unspecified | profit and loss |

Without a type an account's role is unspecified and its kind follows the Dutch decimal chart (Rekeningschema
voor het MKB and most Dutch bookkeeping): a code starting with 0–3 is a balance-sheet account, 4–9 a profit and loss
account. A code that starts with no digit needs a type.

An entry's transaction type follows from the roles of the accounts it books on (see :func:`entry_type`), so that the
Outstanding Items page's DSO and DPO, which read sales and purchase invoices, work as for any other source.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext_noop

from ledger import limits
from ledger.records import AccountKind, AccountRole, TransactionType

from .columns import normalise_header

BS, PNL = AccountKind.BALANCE_SHEET, AccountKind.PROFIT_AND_LOSS


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# The words of each type, normalised (see ``columns.normalise_header``); the first is the type's English name.
_TYPES: dict[tuple[AccountRole, AccountKind], tuple[str, ...]] = {
    (AccountRole.REVENUE, PNL): _words("revenue revenues income sales turnover omzet opbrengst opbrengsten verkoop "
                                      "verkopen"),
    (AccountRole.COST, PNL): _words("cost costs expense expenses kosten kost uitgaven inkoop"),
    (AccountRole.CASH, BS): _words("bank cash kas liquidemiddelen geldmiddelen"),
    (AccountRole.RECEIVABLE, BS): _words("receivable receivables debtor debtors debiteur debiteuren vordering "
                                        "vorderingen"),
    (AccountRole.PAYABLE, BS): _words("payable payables creditor creditors crediteur crediteuren"),
    (AccountRole.VAT, BS): _words("vat tax salestax btw omzetbelasting"),
    (AccountRole.EQUITY, BS): _words("equity capital eigenvermogen vermogen kapitaal prive privé"),
    (AccountRole.ASSET, BS): _words("asset assets fixedasset fixedassets activa actief vasteactiva bezitting "
                                   "bezittingen voorraad inventory"),
    (AccountRole.LIABILITY, BS): _words("liability liabilities debt debts loan passiva schuld schulden lening "
                                       "leningen verplichting verplichtingen"),
    (AccountRole.UNSPECIFIED, BS): _words("balancesheet balance balans"),
    (AccountRole.UNSPECIFIED, PNL): _words("profitandloss pl p&l pnl winstenverlies wenv w&v resultaat "
                                          "resultatenrekening"),
}  # fmt: skip
ACCOUNT_TYPES: dict[str, tuple[AccountRole, AccountKind]] = {
    word: role_kind for role_kind, words in _TYPES.items() for word in words
}
# The English word each type is stored under (the account's ``category``, kept for reference).
TYPE_NAMES: dict[str, str] = {word: words[0] for words in _TYPES.values() for word in words}
TYPES_HELP = gettext_noop(
    "revenue, cost, bank, cash, receivable, payable, vat, equity, asset or liability (or the Dutch word)"
)


def account_type(text: str) -> tuple[str, AccountRole, AccountKind] | None:
    """``(type name, role, kind)`` of an account type as written in the file, or None when it is not one."""
    key = normalise_header(text)
    if key not in ACCOUNT_TYPES:
        return None
    role, kind = ACCOUNT_TYPES[key]
    # bank and cash are one role; the name keeps which the file said.
    name = key if key in {"bank", "cash"} else TYPE_NAMES[key]
    return name, role, kind


def kind_by_code(code: str) -> AccountKind | None:
    """The kind of an account without a type, by the first digit of its code (0–3 balance sheet, 4–9 P&L)."""
    first = code.strip()[:1]
    if not first.isascii() or not first.isdigit():
        return None
    return BS if first in "0123" else PNL


# An open item's side: the words of the receivable and payable types, and a few of the open-items lists' own.
SIDES: dict[str, str] = {
    **dict.fromkeys((*_TYPES[AccountRole.RECEIVABLE, BS], *_words("customer sales verkoop d deb")), "receivable"),
    **dict.fromkeys(
        (*_TYPES[AccountRole.PAYABLE, BS], *_words("supplier purchase purchases inkoop c cred k")), "payable"
    ),
}


def open_item_side(text: str) -> str | None:
    """``receivable`` or ``payable`` for a side as written in the open-items file, or None."""
    return SIDES.get(normalise_header(text))


_OPENING = re.compile(r"\b(opening\s*balance|openingsbalans|beginbalans|begin\s*balans|openingsbalans)\b", re.I)


def entry_type(*, description: str, lines: Iterable[tuple[AccountRole | str, Decimal]]) -> TransactionType:
    """The transaction type of an entry from its description and its lines' (account role, amount):

    - a description that says opening balance (also "beginbalans", "openingsbalans"): opening balance;
    - a cash or bank line: money in (net debit on cash) or out; a payment of an invoice when it also books on a
      receivable (money in) or payable (money out) account, else money received or sent;
    - without cash, a receivable with revenue or VAT: a sales invoice; a payable with cost, asset or VAT: a purchase
      invoice;
    - anything else: a general journal entry.
    """
    if _OPENING.search(description or ""):
        return TransactionType.OPENING_BALANCE
    roles: set[str] = set()
    cash = Decimal("0.00")
    for role, amount in lines:
        roles.add(role)
        if role == AccountRole.CASH:
            cash += amount
    if AccountRole.CASH in roles:
        if roles == {AccountRole.CASH} or not cash:
            return TransactionType.JOURNAL  # a transfer between bank accounts
        if cash > 0:
            return (
                TransactionType.PAYMENT_RECEIVED if AccountRole.RECEIVABLE in roles else TransactionType.MONEY_RECEIVED
            )
        return TransactionType.PAYMENT_SENT if AccountRole.PAYABLE in roles else TransactionType.MONEY_SENT
    if AccountRole.RECEIVABLE in roles and roles & {AccountRole.REVENUE, AccountRole.VAT}:
        return TransactionType.SALES_INVOICE
    if AccountRole.PAYABLE in roles and roles & {AccountRole.COST, AccountRole.ASSET, AccountRole.VAT}:
        return TransactionType.PURCHASE_INVOICE
    return TransactionType.JOURNAL


# The account a transaction of each type is booked "on", as a bookkeeping program's header: the debtors account of a
# sales invoice, the bank of a payment (DSO and DPO read the invoices' lines on it).
HEADER_ROLES: dict[TransactionType, AccountRole] = {
    TransactionType.SALES_INVOICE: AccountRole.RECEIVABLE,
    TransactionType.PURCHASE_INVOICE: AccountRole.PAYABLE,
    TransactionType.PAYMENT_RECEIVED: AccountRole.CASH,
    TransactionType.PAYMENT_SENT: AccountRole.CASH,
    TransactionType.MONEY_RECEIVED: AccountRole.CASH,
    TransactionType.MONEY_SENT: AccountRole.CASH,
}


def text_id(text: str) -> str:
    """An external id for a name from the file (a relation, a cost centre): the name itself when it fits the
    ledger's id column, else a digest of it (so two long names never become one id)."""
    if len(text) <= limits.EXTERNAL_ID_LENGTH and "\x00" not in text and text.isprintable():
        return text
    return "name:" + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()
