"""What every view of the read API shares: session or personal-token authentication, organisation membership,
cursor pagination, and the administration filter that 404s for another organisation's id."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from ledger.models import Administration
from monitr.accounts.tokens import ApiTokenAuthentication
from monitr.tenancy.models import Organization
from monitr.tenancy.requests import MemberApiRequest


class IsOrganizationMember(BasePermission):
    message = "You are not in an organisation yet."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return getattr(request, "organization", None) is not None


class IsOrganizationAdmin(BasePermission):
    message = "Only an admin of the organisation may do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        membership = getattr(request, "membership", None)
        return membership is not None and membership.is_admin


class CheckedCursorPagination(CursorPagination):
    """DRF's cursor pagination, with the position inside the cursor checked before it reaches the database.

    A cursor is base64 that a client can rewrite. DRF decodes it and hands its position to the filter as it is, so a
    valid cursor around nonsense (a word where an id belongs, a number past the column, a NUL character, a day no
    database column holds) ended in a server error. Here the position is cleaned by the ordering field itself
    (``Field.clean``: its type and its validators, such as the range of an integer column); a cursor that is not one
    of ours in any way, undecodable ones included, is a 400 that says so."""

    invalid_cursor_message = "Invalid cursor: follow the next or previous link of an earlier answer."

    # A queryset only, as DRF's CursorPagination orders it; the stub's BasePagination also admits a list.
    def paginate_queryset(self, queryset: QuerySet, request: Request, view: APIView | None = None) -> Any:  # type: ignore[override]
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise self._invalid() from None
        # DRF decodes the position as text; drf-stubs types Cursor.position as an int.
        if cursor is not None and cursor.position is not None and not self._valid_position(cursor.position):  # type: ignore[arg-type]
            raise self._invalid()
        return cursor

    def _valid_position(self, position: str) -> bool:
        name = self.ordering[0].lstrip("-")
        field = self._model._meta.pk if name == "pk" else self._model._meta.get_field(name)
        if "\x00" in position:
            return False
        try:
            value = field.clean(position, None)
            if isinstance(value, dt.datetime):
                if value.tzinfo is None:
                    return False  # ours carry their offset
                value.astimezone(dt.UTC)  # overflows for a time near the first or last day there is
        except (DjangoValidationError, OverflowError, TypeError, ValueError):
            return False
        return True

    def _invalid(self) -> ValidationError:
        return ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})


class ByIdPagination(CheckedCursorPagination):
    ordering = ("pk",)
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class ScopedAPIView(APIView):
    # The token first: DRF answers an unauthenticated request with the first class's challenge (401 Bearer).
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, IsOrganizationMember]
    request: MemberApiRequest

    @property
    def organization(self) -> Organization:
        return self.request.organization

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


_ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="A `detail` message, or a message per bad parameter.")
# Documented on every operation: what a bad parameter (a cursor that is not one of ours too), a missing or revoked
# token, a non-member or a non-admin, and another organisation's id get.
ERRORS = {400: _ERROR, 401: _ERROR, 403: _ERROR, 404: _ERROR}
