"""What every endpoint over the books shares, on top of :mod:`monitr.api`: the administration filter that 404s for
another organisation's id, and the paginated list that validates its query parameters."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView

from ledger.models import Administration
from monitr.api.pagination import ByIdPagination, CheckedCursorPagination
from monitr.api.views import OrganizationAPIView

from .serializers import AdministrationQuery


class ScopedAPIView(OrganizationAPIView):
    def administration_from(self, value: int | None) -> Administration | None:
        if value is None:
            return None
        found = Administration.objects.for_organization(self.organization).filter(pk=value).first()
        if found is None:
            raise NotFound("No such administration in this organisation.")
        return found

    def filter_administration(self, rows: QuerySet, value: int | None) -> QuerySet:
        administration = self.administration_from(value)
        return rows if administration is None else rows.filter(administration=administration)


class ScopedListView(ScopedAPIView, ListAPIView):
    pagination_class: type[CheckedCursorPagination] = ByIdPagination
    query_class: type = AdministrationQuery

    def query(self) -> dict:
        query = self.query_class(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data
