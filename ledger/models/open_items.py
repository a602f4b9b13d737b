"""The open-item ledger: every invoice of both sides and everything that settled it, rebuilt from the books.

The source's list of open items (``OutstandingItem``) says what is open today, and the daily snapshots what it said
on the days Monitr was connected. The open-item ledger knows every day back to the first booking: each invoice
(``LedgerOpenItem``, side, relation, number, dates, amount) and each settlement against it (``OpenItemSettlement``,
a payment, a credit note or a journal naming the invoice, with its date and amount). What was open on a day is then
the invoices dated up to it less what settled them up to it, and how a relation pays is what its settlements show.

It is derived, never edited: ``ledger.services.open_item_ledger_build`` writes it again from the transactions after
every sync that changed them (see that module for the rules).

Amounts are in the side's own direction: an invoice is positive on both sides (what the customer owes us, what we
owe the supplier), a credit note or an unapplied payment negative, and a settlement positive where it reduces what
is owed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from monitr.tenancy.scoping import TenantManager

from .administration import Administration
from .choices import OutstandingSide
from .relations import Relation
from .transactions import MONEY, Transaction


class OpenItemKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")
    # A payment or credit that names no invoice the books hold: it stays a credit of the relation.
    UNAPPLIED = "unapplied", _("Unapplied payment")
    # Open at the start of the books (the opening balance's items, which no transaction of the books made).
    OPENING = "opening", _("Open at the opening")


class SettlementKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    CREDIT_NOTE = "credit_note", _("Credit note")
    JOURNAL = "journal", _("Journal entry")


class LedgerOpenItem(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="ledger_open_items", db_index=False
    )
    side = models.CharField(max_length=10, choices=OutstandingSide.choices)
    kind = models.CharField(max_length=20, choices=OpenItemKind.choices)
    # Unique per administration and side: the transaction's external id, or "opening:" and the source item's.
    external_id = models.CharField(max_length=120)
    # The transaction that made the item; empty for an opening item. Links as on Transaction (no constraint).
    transaction = models.ForeignKey(
        Transaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_constraint=False
    )
    source_external_id = models.CharField(max_length=100, blank=True)
    invoice_number = models.TextField(blank=True)
    relation = models.ForeignKey(
        Relation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_constraint=False
    )
    invoice_date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    amount = models.DecimalField(**MONEY, help_text="In the side's direction; negative for a credit.")
    # The first day something settled it, and the day from which nothing of it is open for good (None: open today).
    # An item is open on a day only between its date and its settling day, so a day's items are found by index;
    # only an item settled in part that day needs its settlements added up.
    first_settled_on = models.DateField(null=True, blank=True)
    settled_on = models.DateField(null=True, blank=True)

    tenant_path = "administration__organization"
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "side", "external_id"], name="ledgeropenitem_unique_external_id"
            )
        ]
        indexes = [
            models.Index(fields=["administration", "side", "invoice_date"], name="ledgeropenitem_by_date"),
            # The items open on a day are those settled after it or not yet: found here, whatever the history's length.
            models.Index(fields=["administration", "side", "settled_on"], name="ledgeropenitem_by_settled"),
            models.Index(fields=["administration", "side", "relation"], name="ledgeropenitem_by_relation"),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.invoice_number or self.external_id}"


class OpenItemSettlement(models.Model):
    open_item = models.ForeignKey(LedgerOpenItem, on_delete=models.CASCADE, related_name="settlements", db_index=False)
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    kind = models.CharField(max_length=20, choices=SettlementKind.choices)
    transaction = models.ForeignKey(
        Transaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_constraint=False
    )
    date = models.DateField()
    amount = models.DecimalField(**MONEY, help_text="Positive where it reduces what the item leaves owed.")

    tenant_path = "administration__organization"
    objects = TenantManager()

    class Meta:
        constraints = [
            # A transaction settles an item once (its lines naming the item are added up).
            models.UniqueConstraint(
                fields=["administration", "open_item", "transaction"], name="settlement_unique_transaction"
            )
        ]
        indexes = [
            # What settled an item up to a day, added up from the index alone.
            models.Index(fields=["open_item", "date"], include=["amount"], name="settlement_by_item_date"),
            models.Index(fields=["administration", "date"], name="settlement_by_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.amount} on {self.date}"


class OpenItemMonthEnd(models.Model):
    """One side's open items at the end of a month, by the open-item ledger, and what was invoiced in that month:
    what the Outstanding Items history (24 months) and DSO/DPO over time read instead of adding up every item for
    every month end. Written with the ledger, by ``open_item_ledger_build``."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    side = models.CharField(max_length=10, choices=OutstandingSide.choices)
    month_end = models.DateField()
    total = models.DecimalField(**MONEY, help_text="Open at the end of the month: invoices and credits.")
    overdue = models.DecimalField(**MONEY, help_text="The invoices' part due (else invoiced) before the month's end.")
    items = models.PositiveIntegerField()
    invoiced = models.DecimalField(**MONEY, help_text="The side's invoices (less credit notes) dated in the month.")

    tenant_path = "administration__organization"
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["administration", "side", "month_end"], name="openitemmonthend_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} at {self.month_end}: {self.total}"


class RelationPaymentHabit(models.Model):
    """How one relation pays its invoices (receivables: how the customer pays us; payables: how we pay the
    supplier), by the open-item ledger as of its last build: the facts the dashboards rate and show. Days are
    counted from the invoice date (to pay) or the due date (late, negative when early); "weighted" counts each
    payment's days by its amount, so an invoice paid in parts counts each part on its own day."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    side = models.CharField(max_length=10, choices=OutstandingSide.choices)
    relation = models.ForeignKey(Relation, on_delete=models.CASCADE, related_name="payment_habits", db_constraint=False)
    invoices_paid = models.PositiveIntegerField(help_text="Invoices settled in full.")
    paid_on_time = models.PositiveIntegerField(help_text="Of those, settled in full on or before the due date.")
    days_to_pay_average = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    days_to_pay_median = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    days_late_weighted = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    # The trend: invoices settled in full in the last 12 months, and in the 12 before, with their weighted lateness.
    recent_paid = models.PositiveIntegerField(default=0)
    recent_days_late = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    earlier_paid = models.PositiveIntegerField(default=0)
    earlier_days_late = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    overdue_unpaid = models.PositiveIntegerField(default=0, help_text="Invoices open and past their due date.")
    oldest_overdue_days = models.PositiveIntegerField(null=True, blank=True)
    last_paid_on = models.DateField(null=True, blank=True)
    as_of = models.DateField(help_text="The day these figures were counted to.")

    tenant_path = "administration__organization"
    objects = TenantManager()

    # The two facts the rating (``dashboards.behaviour``) and the cash forecast (``ledger.forecast``) both go by,
    # stated once, in Python and as a filter for the database.
    LEAST_HISTORY = 3  # invoices paid in full before a relation's own habit counts
    NEVER_PAYS_OVERDUE_DAYS = 60

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["administration", "side", "relation"], name="relationpaymenthabit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.relation} ({self.get_side_display()}): {self.invoices_paid} paid"

    @property
    def never_pays(self) -> bool:
        """Does not pay: an invoice more than 60 days overdue and nothing paid in the last 12 months."""
        return bool(
            self.overdue_unpaid
            and (self.oldest_overdue_days or 0) > self.NEVER_PAYS_OVERDUE_DAYS
            and self.recent_paid == 0
        )

    @property
    def has_history(self) -> bool:
        """Enough invoices paid in full for its own habit to count (and their days known)."""
        return self.invoices_paid >= self.LEAST_HISTORY and self.days_late_weighted is not None

    @classmethod
    def never_pays_filter(cls, prefix: str = "") -> models.Q:
        """:attr:`never_pays` as a filter (of a relation ``prefix`` away, e.g. ``"habit__"``)."""
        return models.Q(
            **{
                f"{prefix}overdue_unpaid__gt": 0,
                f"{prefix}oldest_overdue_days__gt": cls.NEVER_PAYS_OVERDUE_DAYS,
                f"{prefix}recent_paid": 0,
            }
        )

    @classmethod
    def has_history_filter(cls, prefix: str = "") -> models.Q:
        """:attr:`has_history` as a filter."""
        return models.Q(
            **{f"{prefix}invoices_paid__gte": cls.LEAST_HISTORY, f"{prefix}days_late_weighted__isnull": False}
        )

    @classmethod
    def too_little_history_filter(cls, prefix: str = "") -> models.Q:
        """``not`` :attr:`has_history` as a filter, said positively (a negated filter would leave out NULLs)."""
        return models.Q(**{f"{prefix}invoices_paid__lt": cls.LEAST_HISTORY}) | models.Q(
            **{f"{prefix}days_late_weighted__isnull": True}
        )

    @property
    def usual_delay(self) -> int | None:
        """The whole days after the due date it usually pays, where its history says (else None)."""
        if not self.has_history or self.days_late_weighted is None:
            return None
        return int(self.days_late_weighted.to_integral_value())


class CashForecastBacktest(models.Model):
    """What the cash forecast (``ledger.forecast``) needs to measure itself against the past, per side: for each of
    its past days, the open items of that day grouped as the forecast places them, what the due-date method
    expected and what was actually paid on them in the 13 weeks after (``ledger.forecast.Origin`` as JSON). Kept
    apart from the organisation's collection curve, so that a changed curve is measured at once."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    side = models.CharField(max_length=10, choices=OutstandingSide.choices)
    origins = models.JSONField(default=list)
    # A hash of ``origins``: what a figure worked out from them is cached under.
    digest = models.CharField(max_length=64)
    built_on = models.DateField()

    tenant_path = "administration__organization"
    objects = TenantManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["administration", "side"], name="cashforecastbacktest_unique")]

    def __str__(self) -> str:
        return f"Backtest of the {self.get_side_display()} forecast ({len(self.origins)} days)"


class OpenItemPeriod(models.Model):
    """A stretch of days over which an item of the open-item ledger stood open for one amount: from its date, or
    from a day something settled part of it, to the next such day (``valid_to``, not included; empty while it
    stands). What was open on a day is then the periods that hold it, read by index like the source's own list,
    with the columns the list and the daily snapshots have (``total``, ``paid``, ``outstanding``). Written with the
    ledger; a stretch with nothing open is not written."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    side = models.CharField(max_length=10, choices=OutstandingSide.choices)
    external_id = models.CharField(max_length=120)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    source_external_id = models.CharField(max_length=100, blank=True)
    invoice_number = models.TextField(blank=True)
    relation = models.ForeignKey(
        Relation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_constraint=False
    )
    invoice_date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    total = models.DecimalField(**MONEY)
    paid = models.DecimalField(**MONEY)
    outstanding = models.DecimalField(**MONEY)

    tenant_path = "administration__organization"
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "side", "external_id", "valid_from"], name="openitemperiod_unique"
            )
        ]
        indexes = [
            # The periods that hold a day end after it (or not yet): a range of this index.
            models.Index(fields=["administration", "side", "valid_to"], name="openitemperiod_by_end"),
            models.Index(fields=["administration", "side", "relation"], name="openitemperiod_by_relation"),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.invoice_number or self.external_id} from {self.valid_from}"
