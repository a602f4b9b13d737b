"""``/api/v1/sync-runs/`` (newest first) and ``POST /api/v1/connections/{id}/sync/`` (admins only)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from ledger.api.base import ScopedAPIView
from ledger.api.serializers import AdministrationQuery
from monitr.api.errors import ERRORS
from monitr.api.pagination import CheckedCursorPagination
from monitr.api.permissions import ADMINS

from ..models import Connection, SyncRun
from ..services import ConnectionRefused, SyncUnavailable, connection_sync_now


class StreamCountsField(serializers.JSONField):
    """A run's counts per stream as the API has always given them: the stored stream labels are for the pages."""

    def to_representation(self, value):
        return {
            stream: {key: figure for key, figure in counts.items() if key != "label"}
            for stream, counts in (value or {}).items()
        }


class SyncRunSerializer(serializers.ModelSerializer):
    counts = StreamCountsField(required=False, help_text="Per stream: new, changed, deleted, unchanged.")

    class Meta:
        model = SyncRun
        fields = [
            "id",
            "administration",
            "connection",
            "trigger",
            "status",
            "started_at",
            "finished_at",
            "full",
            "stream",
            "progress_done",
            "progress_total",
            "counts",
            "error_code",
            "error_message",
        ]


class SyncRunPagination(CheckedCursorPagination):
    ordering = ("-started_at", "-pk")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


@extend_schema(
    parameters=[AdministrationQuery],
    responses={200: SyncRunSerializer, **ERRORS},
    description="The organisation's sync runs, newest first.",
)
class SyncRunList(ScopedAPIView, ListAPIView):
    serializer_class = SyncRunSerializer
    pagination_class = SyncRunPagination

    def get_queryset(self):
        query = AdministrationQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        rows = SyncRun.objects.for_organization(self.organization)
        return self.filter_administration(rows, query.validated_data.get("administration"))


_Accepted = inline_serializer("SyncRequested", {"detail": serializers.CharField()})


@extend_schema(
    request=None,
    parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The connection's id.")],
    responses={**ERRORS, 202: _Accepted, 409: _Accepted, 503: _Accepted},
    description=(
        "Ask for a sync of the connection now (admins). 409 when one is running or the key needs updating; 503 when "
        "syncing is unavailable right now (nothing was queued: ask again later)."
    ),
)
class ConnectionSync(ScopedAPIView):
    permission_classes = ADMINS

    def post(self, request: Request, pk: str) -> Response:
        number = int(pk) if pk.isdigit() and len(pk) < 12 else None
        connection = (
            Connection.objects.for_organization(self.organization).filter(pk=number).first() if number else None
        )
        if connection is None:
            raise NotFound("No such connection in this organisation.")
        try:
            connection_sync_now(connection=connection)
        except ConnectionRefused as refused:
            return Response({"detail": str(refused)}, status=status.HTTP_409_CONFLICT)
        except SyncUnavailable as unavailable:
            return Response(
                {"detail": str(unavailable)}, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "300"}
            )
        return Response({"detail": "Sync requested; it starts in a moment."}, status=status.HTTP_202_ACCEPTED)
