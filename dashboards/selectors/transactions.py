"""The transactions explorer: the organisation's transactions filtered, searched and sorted in the database.

A transaction's amount is the sum of its debit lines (what moved), so an amount range reads the same for an invoice,
a payment and a journal entry. The account filter keeps transactions with at least one line on that account, the
cost-centre filter those with at least one line on that cost centre.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from ledger.models import Account, Administration, CostCenter, Relation, Transaction, TransactionLine
from ledger.money import ZERO
from monitr.tenancy.models import Organization

TRANSACTION_SORTS: dict[str, str] = {
    "date": "date",
    "amount": "amount",
    "type": "transaction_type",
    "relation": "relation__name",
    "number": "external_id",
}
DEFAULT_TRANSACTION_SORT = "-date"


def transactions_list(
    *,
    organization: Organization,
    administration: Administration | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    account: Account | None = None,
    relation: Relation | None = None,
    cost_center: CostCenter | None = None,
    transaction_type: str | None = None,
    amount_min: Decimal | None = None,
    amount_max: Decimal | None = None,
    search: str | None = None,
    unbalanced: bool = False,
    sort: str = DEFAULT_TRANSACTION_SORT,
) -> QuerySet:
    """Transactions of the organisation with ``amount`` (sum of debits) and ``line_count``, filtered and sorted."""
    rows: QuerySet = Transaction.objects.for_organization(organization)
    if administration is not None:
        rows = rows.filter(administration=administration)
    if date_from is not None:
        rows = rows.filter(date__gte=date_from)
    if date_to is not None:
        rows = rows.filter(date__lte=date_to)
    if relation is not None:
        rows = rows.filter(relation=relation)
    if transaction_type:
        rows = rows.filter(transaction_type=transaction_type)
    if unbalanced:
        rows = rows.exclude(imbalance=0)
    if account is not None:
        rows = rows.filter(Exists(TransactionLine.objects.filter(transaction=OuterRef("pk"), account=account)))
    if cost_center is not None:
        rows = rows.filter(Exists(TransactionLine.objects.filter(transaction=OuterRef("pk"), cost_center=cost_center)))
    if search:
        rows = rows.filter(
            Q(description__icontains=search)
            | Q(invoice_number__icontains=search)
            | Q(external_id__icontains=search)
            | Q(relation__name__icontains=search)
        )
    # Per row, not grouped over a join of every transaction to its lines: a page sorted by date reads its 50 rows
    # from the date index and sums their lines only, where a GROUP BY summed a million lines before the first row.
    money = DecimalField(max_digits=18, decimal_places=2)
    lines = TransactionLine.objects.filter(transaction=OuterRef("pk")).order_by().values("transaction")
    rows = rows.annotate(
        amount=Coalesce(
            Subquery(lines.filter(amount__gt=0).annotate(s=Sum("amount")).values("s"), output_field=money),
            Value(ZERO),
            output_field=money,
        ),
        line_count=Coalesce(Subquery(lines.annotate(c=Count("pk")).values("c")), Value(0)),
    )
    if amount_min is not None:
        rows = rows.filter(amount__gte=amount_min)
    if amount_max is not None:
        rows = rows.filter(amount__lte=amount_max)
    key = sort.removeprefix("-")
    field = TRANSACTION_SORTS.get(key, "date")
    descending = sort.startswith("-") if key in TRANSACTION_SORTS else True
    order = f"-{field}" if descending else field
    return rows.select_related("relation", "administration").order_by(order, "-pk" if descending else "pk")
