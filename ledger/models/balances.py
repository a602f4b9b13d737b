"""Monthly balances: the books' sum per account and month, the base every statement reads.

A statement of a year asks for a few hundred rows (accounts × months) instead of summing every line it covers, so a
P&L costs the same at a thousand lines and at ten million. Two kinds of rows sit side by side (``basis``):

- **lines**: the sum of the stored lines per account, month and cost centre. The ledger's write services keep
  them exact as they write and delete lines (a change adds its difference in the same database transaction), so
  they always equal the lines; ``monthly_balances_rebuild`` recomputes them from the lines, and the sync's check
  compares them with the source.
- **source**: what the provider's own balances said of an account and month, written before the lines arrive so a
  first import shows right statements within seconds. They carry no cost centre (the sources give per-ledger totals).

Which rows a statement reads is decided per administration by ``Administration.lines_complete_through``: the lines'
rows for months up to that day, the source's rows for the months after it. Once every line is in, that day is
``LINES_COMPLETE`` and only the lines' rows count.
"""

from __future__ import annotations

from django.db import models

from monitr.tenancy.scoping import TenantManager

from .accounts import Account
from .administration import Administration
from .transactions import MONEY


class BalanceBasis(models.TextChoices):
    LINES = "lines", "Imported lines"
    SOURCE = "source", "Source balances"


class MonthlyBalance(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="monthly_balances", db_index=False
    )
    basis = models.CharField(max_length=10, choices=BalanceBasis.choices)
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="monthly_balances", db_index=False, db_constraint=False
    )
    month = models.DateField(help_text="The first day of the month.")
    # The cost centre's primary key, 0 for lines without one (and for the source's rows): a plain number so that the
    # unique key has no NULL in it on every database. Cost centres are never deleted, so the number stays valid.
    cost_center_key = models.BigIntegerField(default=0)
    amount = models.DecimalField(**MONEY, help_text="Signed: debit positive, credit negative.")

    tenant_path = "administration__organization"
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "basis", "account", "month", "cost_center_key"],
                name="monthlybalance_unique_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.basis} {self.month:%Y-%m} account {self.account_id}: {self.amount}"
