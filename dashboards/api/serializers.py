"""Serializers of the dashboards' API: the query parameters in; the chart of accounts with each account's reporting
line, the transactions, the statements, and the open items and their aging out.

Amounts are strings with two decimals (``COERCE_DECIMAL_TO_STRING``), so that no client reads money as a float.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import translation
from rest_framework import serializers

from ledger.api.serializers import AdministrationQuery
from ledger.models import Account, OutstandingSide, Transaction, TransactionLine, TransactionType

from ..mapping import UNMAPPED, default_reporting_line
from ..models import AgingBasis
from ..selectors.scope import EARLIEST_AS_OF


class OutstandingQuerySerializer(serializers.Serializer):
    """The filters both endpoints take from the query string."""

    administration = serializers.IntegerField(required=False, min_value=1, help_text="An administration's id.")
    side = serializers.ChoiceField(choices=OutstandingSide.choices, required=False)
    relation = serializers.IntegerField(required=False, min_value=1, help_text="A relation's id.")
    as_of = serializers.DateField(
        required=False, help_text="A past day (from the open items rebuilt from the books); default today."
    )
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    basis = serializers.ChoiceField(choices=AgingBasis.choices, required=False)

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def validate_as_of(self, value: date) -> date:
        if value > self.today:
            raise serializers.ValidationError("Open items are known up to today.")
        if value < EARLIEST_AS_OF:
            raise serializers.ValidationError(f"Open items are known from {EARLIEST_AS_OF.isoformat()} on.")
        return value


class RelationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class OutstandingItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The row's id; a snapshot's rows have their own ids.")
    external_id = serializers.CharField(help_text="The provider's id of the item, the same in every snapshot.")
    administration = serializers.IntegerField(source="administration_id")
    side = serializers.ChoiceField(choices=OutstandingSide.choices)
    relation = RelationSerializer(allow_null=True)
    invoice_number = serializers.CharField()
    invoice_date = serializers.DateField()
    due_date = serializers.DateField(allow_null=True)
    days_overdue = serializers.SerializerMethodField(
        help_text="Days past the due date (else the invoice date) on as_of; 0 when not overdue and for a credit."
    )
    is_credit = serializers.SerializerMethodField(
        help_text="A credit note or a payment not applied to an invoice (a negative outstanding): never overdue."
    )
    total = serializers.DecimalField(max_digits=18, decimal_places=2)
    paid = serializers.DecimalField(max_digits=18, decimal_places=2)
    outstanding = serializers.DecimalField(max_digits=18, decimal_places=2)

    def get_days_overdue(self, item) -> int:
        if self.get_is_credit(item):
            return 0
        return max(0, (self.context["as_of"] - item.effective_due).days)

    def get_is_credit(self, item) -> bool:
        return item.outstanding < 0


class EnglishCharField(serializers.CharField):
    """Text that Monitr translates on its pages (an aging bucket's label), in English whatever the request's
    language: the API is read by programs."""

    def to_representation(self, value) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return super().to_representation(value)


class AgingBucketSerializer(serializers.Serializer):
    key = serializers.CharField(source="bucket.key")
    # Declared fields the serializer's metaclass takes off the class; drf-stubs takes them for Field.label and
    # Field.source.
    label = EnglishCharField(source="bucket.label")  # type: ignore[assignment]
    from_days = serializers.IntegerField(source="bucket.low", allow_null=True)
    to_days = serializers.IntegerField(source="bucket.high", allow_null=True)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    count = serializers.IntegerField()


class AgingSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[("live", "live"), ("books", "books"), ("snapshot", "snapshot")],
        help_text=(
            "live: today, the source's own list; books: a past day by the open items rebuilt from the books; "
            "snapshot: a past day by the daily snapshot, before the books' open items are built."
        ),
    )
    administration = serializers.IntegerField(allow_null=True, help_text="Null: all administrations added up.")
    side = serializers.ChoiceField(choices=OutstandingSide.choices)
    basis = serializers.ChoiceField(choices=AgingBasis.choices)
    boundaries = serializers.ListField(child=serializers.IntegerField())
    total = serializers.DecimalField(
        max_digits=18, decimal_places=2, help_text="Net: the buckets (open invoices) plus `credit`."
    )
    overdue = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="Of the open invoices only.")
    credit = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        help_text="Credit notes and unapplied payments (zero or negative): never overdue, in no bucket.",
    )
    credit_count = serializers.IntegerField()
    count = serializers.IntegerField()
    without_due_date = serializers.IntegerField()
    buckets = AgingBucketSerializer(
        many=True, help_text="The open invoices by age; with `credit` they add up to `total`."
    )


class AccountSerializer(serializers.ModelSerializer):
    reporting_line = serializers.SerializerMethodField()

    class Meta:
        model = Account
        fields = ["id", "administration", "code", "name", "category", "kind", "group", "reporting_line"]

    def get_reporting_line(self, account: Account) -> str:
        mapping = getattr(account, "reporting_mapping", None)
        if mapping is not None:
            return mapping.line
        return default_reporting_line(role=account.role, code=account.code, kind=account.kind) or UNMAPPED


class LineSerializer(serializers.ModelSerializer):
    class Meta:
        model = TransactionLine
        fields = [
            "line_number",
            "account",
            "amount",
            "vat_code",
            "vat_amount",
            "description",
            "relation",
            "cost_center",
        ]


class TransactionSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True, help_text="Sum of the debits.")
    lines = LineSerializer(many=True, read_only=True)

    class Meta:
        model = Transaction
        fields = [
            "id",
            "administration",
            "external_id",
            "transaction_type",
            "date",
            "description",
            "invoice_number",
            "relation",
            "amount",
            "imbalance",
            "lines",
        ]


class TransactionQuery(AdministrationQuery):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    account = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    relation = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    type = serializers.ChoiceField(choices=TransactionType.choices, required=False)
    amount_min = serializers.DecimalField(max_digits=18, decimal_places=2, required=False)
    amount_max = serializers.DecimalField(max_digits=18, decimal_places=2, required=False)
    q = serializers.CharField(required=False, max_length=200)
    cost_center = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="A cost centre's id: only transactions with a line on it.",
    )


class ReportQuery(AdministrationQuery):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    month = serializers.IntegerField(required=False, min_value=1, max_value=12)


class ProfitAndLossQuery(ReportQuery):
    cost_center = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=(
            "A cost centre's id: only what was booked on it, from the imported lines (the bookkeeping's own monthly "
            "balances have no cost centres, so months still being imported show nothing)."
        ),
    )


class FiguresSerializer(serializers.Serializer):
    months = serializers.ListField(child=serializers.DecimalField(max_digits=18, decimal_places=2))
    total = serializers.DecimalField(max_digits=18, decimal_places=2)
    prior_months = serializers.ListField(child=serializers.DecimalField(max_digits=18, decimal_places=2))
    prior_total = serializers.DecimalField(max_digits=18, decimal_places=2)


class ReportAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    figures = FiguresSerializer()


class ReportRowSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="line, subtotal, total or heading")
    line = serializers.CharField(allow_null=True)
    # A declared field the serializer's metaclass takes off the class; drf-stubs takes it for Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    figures = FiguresSerializer()
    accounts = ReportAccountSerializer(many=True)


class ReportSerializer(serializers.Serializer):
    statement = serializers.CharField()
    year = serializers.IntegerField()
    month = serializers.IntegerField(help_text="The last month included.")
    through = serializers.DateField(
        help_text="The last day included: today while the last month has not ended, else that month's last day."
    )
    prior_through = serializers.DateField(
        help_text="The last day of the prior year's figures: `through` a year earlier."
    )
    administration = serializers.IntegerField(allow_null=True)
    complete = serializers.BooleanField(
        help_text="Every transaction of the administrations is imported: every figure is the sum of their lines."
    )
    lines_complete_through = serializers.DateField(
        allow_null=True,
        help_text=(
            "While a first import runs (complete is false): every transaction dated up to this day is imported, for "
            "the administration furthest behind. Null when complete."
        ),
    )
    source_balances_from = serializers.DateField(
        allow_null=True,
        help_text=(
            "While a first import runs: the figures of this month and later come from the bookkeeping's own monthly "
            "balances, not yet from imported transactions (the transactions endpoint lists those imported so far). "
            "Null when complete."
        ),
    )
    unmapped_accounts = serializers.IntegerField()
    rows = ReportRowSerializer(many=True)


class PaymentBehaviourQuerySerializer(serializers.Serializer):
    administration = serializers.IntegerField(required=False, min_value=1, help_text="An administration's id.")
    side = serializers.ChoiceField(choices=OutstandingSide.choices, required=False)


class PaymentBehaviourSerializer(serializers.Serializer):
    """How one relation pays (receivables) or is paid (payables), by the open items rebuilt from the books."""

    administration = serializers.IntegerField(source="habit.administration_id")
    side = serializers.ChoiceField(choices=OutstandingSide.choices, source="habit.side")
    relation = RelationSerializer(source="habit.relation")
    rating = serializers.ChoiceField(
        choices=["never", "unknown", "early", "on_time", "little_late", "late"],
        help_text="never: an invoice over 60 days overdue and nothing paid in 12 months; unknown: fewer than 3 paid.",
    )
    reason = serializers.CharField(help_text="Why, in English.")
    trend = serializers.ChoiceField(
        choices=["", "slower", "faster"], help_text="The last 12 months against the 12 before."
    )
    invoices_paid = serializers.IntegerField(source="habit.invoices_paid")
    paid_on_time = serializers.IntegerField(source="habit.paid_on_time")
    days_to_pay_average = serializers.DecimalField(
        max_digits=7, decimal_places=1, allow_null=True, source="habit.days_to_pay_average"
    )
    days_to_pay_median = serializers.DecimalField(
        max_digits=7, decimal_places=1, allow_null=True, source="habit.days_to_pay_median"
    )
    days_late_weighted = serializers.DecimalField(
        max_digits=7,
        decimal_places=1,
        allow_null=True,
        source="habit.days_late_weighted",
        help_text="Days after the due date, each payment weighted by its amount; negative when early.",
    )
    recent_days_late = serializers.DecimalField(
        max_digits=7, decimal_places=1, allow_null=True, source="habit.recent_days_late"
    )
    earlier_days_late = serializers.DecimalField(
        max_digits=7, decimal_places=1, allow_null=True, source="habit.earlier_days_late"
    )
    overdue_unpaid = serializers.IntegerField(source="habit.overdue_unpaid")
    last_paid_on = serializers.DateField(allow_null=True, source="habit.last_paid_on")
    as_of = serializers.DateField(source="habit.as_of")


class ForecastQuerySerializer(serializers.Serializer):
    administration = serializers.IntegerField(required=False, min_value=1, help_text="An administration's id.")
    side = serializers.ChoiceField(choices=OutstandingSide.choices, required=False)


class ForecastWeekSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    by_habit = serializers.DecimalField(
        max_digits=18, decimal_places=2, help_text="Placed by the relations' own payment habits."
    )
    by_curve = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="Placed by the collection curve.")
    expected = serializers.DecimalField(max_digits=18, decimal_places=2, source="total")


class BacktestDaySerializer(serializers.Serializer):
    as_of = serializers.DateField(help_text="The past day the forecast was made from.")
    paid = serializers.DecimalField(
        max_digits=18, decimal_places=2, help_text="Paid on the items open that day in the 13 weeks after."
    )
    error = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="Mean absolute error per week.")
    due_date_error = serializers.DecimalField(
        max_digits=18, decimal_places=2, help_text="The same for “everything is paid on its due date”."
    )


class BacktestSerializer(serializers.Serializer):
    error = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    due_date_error = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    paid_per_week = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True, source="actual_per_week")
    days = BacktestDaySerializer(many=True, source="origins")


class ForecastSerializer(serializers.Serializer):
    """Expected cash-in (receivables) or cash-out (payables) per week for the next 13 weeks."""

    as_of = serializers.DateField()
    administration = serializers.IntegerField(allow_null=True, help_text="Null: all administrations added up.")
    side = serializers.ChoiceField(choices=OutstandingSide.choices)
    curve = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="The collection curve: [days after the due date, percent] steps.",
    )
    weeks = ForecastWeekSerializer(many=True)
    later = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="Expected after the 13 weeks.")
    unlikely = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        help_text="Set apart: relations that do not pay, items beyond the curve's last step past due.",
    )
    unlikely_items = serializers.IntegerField()
    open_total = serializers.DecimalField(
        max_digits=18, decimal_places=2, help_text="Still owed on open invoices: the weeks, later and unlikely."
    )
    backtest = BacktestSerializer(allow_null=True, help_text="Null until the books' open items are built.")


class NoteQuerySerializer(AdministrationQuery):
    relation = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="A relation's id: its notes only."
    )
    side = serializers.ChoiceField(choices=OutstandingSide.choices, required=False)
    open = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Only notes with a follow-up not done yet (true), or only the others (false).",
    )


class NoteSerializer(serializers.Serializer):
    """A note on a relation, or on one of its open items (named by its invoice number, which survives syncs)."""

    id = serializers.IntegerField()
    relation = RelationSerializer()
    administration = serializers.IntegerField(source="relation.administration_id")
    side = serializers.ChoiceField(choices=OutstandingSide.choices)
    invoice_number = serializers.CharField(
        help_text="The open item's invoice number when the note is on one; empty for a note on the relation."
    )
    item_external_id = serializers.CharField(
        help_text="The provider's id of the open item the note is on; empty for a note on the relation."
    )
    text = serializers.CharField()
    author = serializers.CharField(
        source="author_shown",
        help_text="The author's name; once they have left the organisation, their name when they wrote the note.",
    )
    author_is_member = serializers.BooleanField(help_text="False once the author has left the organisation.")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    follow_up_on = serializers.DateField(allow_null=True)
    promised_on = serializers.DateField(allow_null=True, help_text="The day the relation promised to pay on.")
    follow_up_due_on = serializers.DateField(
        allow_null=True, help_text="The earlier of follow_up_on and promised_on: when the follow-up is due."
    )
    done_at = serializers.DateTimeField(allow_null=True, help_text="When the follow-up was marked done.")
