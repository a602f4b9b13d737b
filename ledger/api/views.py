"""The books' endpoints: the organisation's administrations and relations, read through the organisation of the
request (session or token)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema

from ledger.models import Administration, Relation
from monitr.api.errors import ERRORS

from . import serializers as s
from .base import ScopedListView


@extend_schema(
    responses={200: s.AdministrationSerializer, **ERRORS},
    parameters=[s.AdministrationQuery],
    description="The organisation's administrations.",
)
class AdministrationList(ScopedListView):
    serializer_class = s.AdministrationSerializer

    def get_queryset(self):
        return Administration.objects.for_organization(self.organization)


@extend_schema(
    responses={200: s.LedgerRelationSerializer, **ERRORS},
    parameters=[s.AdministrationQuery],
    description="Customers and suppliers.",
)
class RelationList(ScopedListView):
    serializer_class = s.LedgerRelationSerializer

    def get_queryset(self):
        rows = Relation.objects.for_organization(self.organization)
        return self.filter_administration(rows, self.query().get("administration"))
