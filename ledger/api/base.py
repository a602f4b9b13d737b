"""What every view of the read API shares: session or personal-token authentication, organisation membership,
cursor pagination, and the administration filter that 404s for another organisation's id."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from ledger.models import Administration
from monitr.accounts.tokens import ApiTokenAuthentication


class IsOrganizationMember(BasePermission):
    message = "You are not in an organisation yet."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return getattr(request, "organization", None) is not None


class IsOrganizationAdmin(BasePermission):
    message = "Only an admin of the organisation may do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        membership = getattr(request, "membership", None)
        return membership is not None and membership.is_admin


class ByIdPagination(CursorPagination):
    ordering = ("pk",)
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class ScopedAPIView(APIView):
    # The token first: DRF answers an unauthenticated request with the first class's challenge (401 Bearer).
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, IsOrganizationMember]

    @property
    def organization(self):
        return self.request.organization  # type: ignore[attr-defined]

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
# Documented on every operation: what a bad parameter, a missing or revoked token, a non-member or a non-admin, and
# another organisation's id (or a stale cursor) get.
ERRORS = {400: _ERROR, 401: _ERROR, 403: _ERROR, 404: _ERROR}
