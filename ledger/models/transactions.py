"""Transactions and their double-entry lines.

A line's amount is signed, debit positive and credit negative, so a balanced transaction's lines sum to zero. A
transaction whose lines do not is still stored as given, with the difference in ``imbalance``, for the Data checks
page to show: hiding it would hide a problem in the source or in the import.

Lines repeat their transaction's administration and date, so that the dashboards' sums per account and month read
one table through one index instead of joining a million lines to their transactions.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict

from django.db import models

from monitr.tenancy.scoping import TenantManager

from .accounts import Account, CostCenter
from .administration import Administration
from .choices import TransactionType
from .relations import Relation


class MoneyField(TypedDict):
    """The keyword arguments of every money column, typed so that ``DecimalField(**MONEY)`` is checked."""

    max_digits: int
    decimal_places: int


MONEY: MoneyField = {"max_digits": 18, "decimal_places": 2}


class Transaction(models.Model):
    # Covered by the unique key and the date index, which both lead with the administration.
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="transactions", db_index=False
    )
    external_id = models.CharField(max_length=100)
    transaction_type = models.CharField(max_length=20, choices=TransactionType.choices)
    date = models.DateField()
    description = models.TextField(blank=True)
    # Text, not a short string: a payment of several invoices lists them all, comma-separated.
    invoice_number = models.TextField(blank=True)
    entry_number = models.CharField(max_length=100, blank=True)
    # Links to reference data (accounts, relations, cost centres) are not foreign key constraints in the database,
    # here and on the lines: the writing service resolves each within the administration in the same database
    # transaction (stricter than a constraint, which would accept another administration's account), and Django
    # applies on_delete. A constraint would check every row again at commit: a third of a large import's time.
    relation = models.ForeignKey(
        Relation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transactions",
        db_constraint=False,
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="header_transactions",
        db_index=False,  # read through the lines' account index; a header-only index would cost every write
        db_constraint=False,
        help_text="The header account the provider books the transaction on (bank, debtors, creditors).",
    )
    vat_inclusive = models.BooleanField(null=True, blank=True, help_text="Whether the source's amounts included VAT.")
    payment_term_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="The transaction's own payment term, when the source gives one."
    )
    fingerprint = models.CharField(max_length=128, help_text="The importer's summary of the source's version.")
    lines_digest = models.CharField(max_length=32, help_text="A digest of the stored lines, to detect changes.")
    imbalance = models.DecimalField(**MONEY, default=Decimal("0.00"), help_text="The sum of the lines; 0 if balanced.")

    tenant_path = "administration__organization"
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["administration", "external_id"], name="transaction_unique_external_id")
        ]
        indexes = [
            models.Index(fields=["administration", "date"], name="transaction_by_date"),
            # The invoices of a period (DSO and DPO on the Outstanding Items page) without reading every payment.
            models.Index(fields=["administration", "transaction_type", "date"], name="transaction_by_type_date"),
            # Few rows, read by the Data checks page: a partial index stays tiny.
            models.Index(fields=["administration"], condition=~models.Q(imbalance=0), name="transaction_unbalanced"),
        ]

    def __str__(self) -> str:
        return f"{self.get_transaction_type_display()} {self.external_id} of {self.date}"

    @property
    def is_balanced(self) -> bool:
        return self.imbalance == 0


class TransactionLine(models.Model):
    # The unique key (transaction, line_number) serves lookups by transaction.
    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="lines", db_index=False)
    line_number = models.PositiveIntegerField()
    # Only the link to the transaction is a foreign key constraint in the database; the administration is the
    # transaction's, and the links to reference data are checked as on Transaction.
    administration = models.ForeignKey(
        Administration,
        on_delete=models.CASCADE,
        related_name="transaction_lines",
        db_index=False,
        db_constraint=False,
    )
    date = models.DateField(help_text="The transaction's date, repeated for fast sums per period.")
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="lines", db_index=False, db_constraint=False
    )
    amount = models.DecimalField(**MONEY, help_text="Signed: debit positive, credit negative.")
    vat_code = models.CharField(max_length=20, blank=True)
    vat_amount = models.DecimalField(**MONEY, null=True, blank=True)
    description = models.TextField(blank=True)
    invoice_number = models.TextField(blank=True)
    # Not indexed: lines are read by account and period; per-relation views go through transactions.
    relation = models.ForeignKey(
        Relation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lines",
        db_index=False,
        db_constraint=False,
    )
    cost_center = models.ForeignKey(
        CostCenter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lines",
        db_index=False,
        db_constraint=False,
    )

    tenant_path = "administration__organization"
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["transaction", "line_number"], name="transactionline_unique_number")
        ]
        indexes = [
            # Covering (with the administration, which every scoped read filters on): the P&L sums two years of its
            # accounts' lines from the index alone.
            models.Index(fields=["account", "date"], include=["administration", "amount"], name="line_by_account_date"),
            models.Index(fields=["administration", "date"], name="line_by_date"),
        ]

    def __str__(self) -> str:
        return f"Line {self.line_number} of transaction {self.transaction_id}"
