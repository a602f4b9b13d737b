"""Serializers of the Outstanding Items API: the query parameters in, the items and the aging out.

Amounts are strings with two decimals (``COERCE_DECIMAL_TO_STRING``), so that no client reads money as a float.
"""

from __future__ import annotations

from datetime import date

from rest_framework import serializers

from ledger.models import OutstandingSide

from ..models import AgingBasis
from ..selectors.scope import EARLIEST_AS_OF


class OutstandingQuerySerializer(serializers.Serializer):
    """The filters both endpoints take from the query string."""

    administration = serializers.IntegerField(required=False, min_value=1, help_text="An administration's id.")
    side = serializers.ChoiceField(choices=OutstandingSide.choices, required=False)
    relation = serializers.IntegerField(required=False, min_value=1, help_text="A relation's id.")
    as_of = serializers.DateField(required=False, help_text="A past day (its daily snapshot); default today.")
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
        help_text="Days past the due date (else the invoice date) on as_of; 0 when not overdue."
    )
    total = serializers.DecimalField(max_digits=18, decimal_places=2)
    paid = serializers.DecimalField(max_digits=18, decimal_places=2)
    outstanding = serializers.DecimalField(max_digits=18, decimal_places=2)

    def get_days_overdue(self, item) -> int:
        return max(0, (self.context["as_of"] - item.effective_due).days)


class AgingBucketSerializer(serializers.Serializer):
    key = serializers.CharField(source="bucket.key")
    # Declared fields the serializer's metaclass takes off the class; drf-stubs takes them for Field.label and
    # Field.source.
    label = serializers.CharField(source="bucket.label")  # type: ignore[assignment]
    from_days = serializers.IntegerField(source="bucket.low", allow_null=True)
    to_days = serializers.IntegerField(source="bucket.high", allow_null=True)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)
    count = serializers.IntegerField()


class AgingSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    source = serializers.ChoiceField(choices=[("live", "live"), ("snapshot", "snapshot")])  # type: ignore[assignment]
    administration = serializers.IntegerField(allow_null=True, help_text="Null: all administrations added up.")
    side = serializers.ChoiceField(choices=OutstandingSide.choices)
    basis = serializers.ChoiceField(choices=AgingBasis.choices)
    boundaries = serializers.ListField(child=serializers.IntegerField())
    total = serializers.DecimalField(max_digits=18, decimal_places=2)
    overdue = serializers.DecimalField(max_digits=18, decimal_places=2)
    count = serializers.IntegerField()
    without_due_date = serializers.IntegerField()
    buckets = AgingBucketSerializer(many=True)
