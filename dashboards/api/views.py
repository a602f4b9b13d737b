"""The Outstanding Items API: ``/api/v1/outstanding-items/`` and ``/api/v1/outstanding-items/aging/``.

Read-only, session-authenticated, and scoped like the page: everything is read through ``OutstandingScope`` from
``request.organization``. A signed-in user without an organisation gets 403; an administration or relation id
that is not the organisation's gets 404, as does a past day without a snapshot (with a detail that says so).
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ledger.api.base import ERRORS, ByIdPagination
from ledger.models import Administration, OutstandingSide, Relation
from monitr.accounts.tokens import ApiTokenAuthentication
from monitr.tenancy.requests import MemberApiRequest

from ..models import AgingBasis
from ..selectors.figures import outstanding_snapshot_status
from ..selectors.outstanding import outstanding_aging, outstanding_items_list
from ..selectors.scope import OutstandingScope
from ..selectors.settings import outstanding_settings_get
from .serializers import AgingSerializer, OutstandingItemSerializer, OutstandingQuerySerializer

_FILTERS = [
    OpenApiParameter("administration", OpenApiTypes.INT, description="An administration's id; default all."),
    OpenApiParameter("side", OpenApiTypes.STR, enum=list(OutstandingSide.values)),
    OpenApiParameter(
        "as_of", OpenApiTypes.DATE, description="A past day (2000 on), read from its snapshot; default today."
    ),
    OpenApiParameter("basis", OpenApiTypes.STR, enum=list(AgingBasis.values), description="Default: saved setting."),
]


class IsOrganizationMember(BasePermission):
    message = "You are not in an organisation yet."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return getattr(request, "organization", None) is not None


class _ScopedMixin(APIView):
    # Session for the browser, personal API tokens for programs, as the rest of the API.
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, IsOrganizationMember]
    request: MemberApiRequest

    def parse(self, request: MemberApiRequest) -> tuple[OutstandingScope, dict]:
        today = timezone.localdate()
        query = OutstandingQuerySerializer(data=request.query_params, today=today)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        organization = request.organization
        administration = None
        if "administration" in params:
            administration = (
                Administration.objects.for_organization(organization).filter(pk=params["administration"]).first()
            )
            if administration is None:
                raise NotFound("No such administration in this organisation.")
        settings = outstanding_settings_get(organization=organization)
        scope = OutstandingScope(
            organization=organization,
            administration=administration,
            side=OutstandingSide(params.get("side", OutstandingSide.RECEIVABLE)),
            as_of=params.get("as_of", today),
            today=today,
            basis=AgingBasis(params.get("basis", settings.basis)),
            boundaries=tuple(settings.boundaries),
        )
        if not scope.is_live:
            chosen = [administration] if administration else list(Administration.objects.for_organization(organization))
            status = outstanding_snapshot_status(organization=organization, administrations=chosen, as_of=scope.as_of)
            if chosen and status.missing_all:
                earlier = f" The nearest earlier one is of {status.nearest_earlier}." if status.nearest_earlier else ""
                raise NotFound(
                    f"No snapshot for {scope.as_of}: Monitr keeps one per day from the first import on.{earlier}"
                )
        return scope, params


@extend_schema(
    parameters=[
        *_FILTERS,
        OpenApiParameter("relation", OpenApiTypes.INT, description="A relation's id."),
        OpenApiParameter("overdue", OpenApiTypes.BOOL, description="Only overdue items (true) or the others (false)."),
    ],
    responses={200: OutstandingItemSerializer, **ERRORS},
    description="The open items, both sides unless `side` is given; paginated with a cursor, oldest id first.",
)
class OutstandingItemsView(_ScopedMixin, ListAPIView):
    serializer_class = OutstandingItemSerializer
    pagination_class = ByIdPagination

    def get_queryset(self):
        scope, params = self.parse(self.request)
        self.scope = scope
        relation = None
        if "relation" in params:
            relation = Relation.objects.for_organization(scope.organization).filter(pk=params["relation"]).first()
            if relation is None:
                raise NotFound("No such relation in this organisation.")
        return outstanding_items_list(
            scope=scope, relation=relation, overdue=params.get("overdue"), both_sides="side" not in params
        )

    def get_serializer_context(self) -> dict:
        context = dict(super().get_serializer_context())
        scope = getattr(self, "scope", None)
        context["as_of"] = scope.as_of if scope else timezone.localdate()
        return context


class OutstandingAgingView(_ScopedMixin, APIView):
    @extend_schema(
        parameters=_FILTERS,
        responses={200: AgingSerializer, **ERRORS},
        description="The aging buckets of one side (default receivables); they always add up to `total`.",
    )
    def get(self, request: MemberApiRequest) -> Response:
        scope, _ = self.parse(request)
        aging = outstanding_aging(scope=scope)
        data = {
            "as_of": scope.as_of,
            "source": "live" if scope.is_live else "snapshot",
            "administration": scope.administration.pk if scope.administration else None,
            "side": scope.side,
            "basis": scope.basis,
            "boundaries": list(scope.boundaries),
            "total": aging.total,
            "overdue": aging.overdue,
            "count": aging.count,
            "without_due_date": aging.without_due_date,
            "buckets": aging.buckets,
        }
        return Response(AgingSerializer(data).data)
