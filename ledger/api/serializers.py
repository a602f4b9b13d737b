"""Serializers of the read API: rows out, and the query parameters each list accepts (validated, so a bad value is a
400 with a message, never a 500)."""

from __future__ import annotations

from rest_framework import serializers

from dashboards.mapping import UNMAPPED, default_reporting_line
from ledger.models import Account, Administration, Relation, Transaction, TransactionLine, TransactionType


class AdministrationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Administration
        fields = ["id", "name", "provider", "external_id", "last_imported_at", "disconnected_at"]


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


class LedgerRelationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Relation
        fields = ["id", "administration", "code", "name", "relation_type", "payment_term_days"]


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


class AdministrationQuery(serializers.Serializer):
    administration = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class TransactionQuery(AdministrationQuery):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    account = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    relation = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    type = serializers.ChoiceField(choices=TransactionType.choices, required=False)
    amount_min = serializers.DecimalField(max_digits=18, decimal_places=2, required=False)
    amount_max = serializers.DecimalField(max_digits=18, decimal_places=2, required=False)
    q = serializers.CharField(required=False, max_length=200)


class ReportQuery(AdministrationQuery):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    month = serializers.IntegerField(required=False, min_value=1, max_value=12)


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
    administration = serializers.IntegerField(allow_null=True)
    unmapped_accounts = serializers.IntegerField()
    rows = ReportRowSerializer(many=True)
