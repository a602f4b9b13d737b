"""Serializers of the books' endpoints: rows out, and the administration filter that every list over the books
accepts (validated, so a bad value is a 400 with a message, never a 500)."""

from __future__ import annotations

from rest_framework import serializers

from ledger.models import Administration, Relation


class AdministrationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Administration
        fields = ["id", "name", "provider", "external_id", "last_imported_at", "disconnected_at"]


class LedgerRelationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Relation
        fields = ["id", "administration", "code", "name", "relation_type", "payment_term_days"]


class AdministrationQuery(serializers.Serializer):
    administration = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
