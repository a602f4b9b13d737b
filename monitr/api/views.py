"""The view every endpoint of the API starts from: authenticated by token or session, for members of an
organisation, and reading through that organisation."""

from __future__ import annotations

from rest_framework.views import APIView

from monitr.tenancy.models import Organization
from monitr.tenancy.requests import MemberApiRequest

from .authentication import AUTHENTICATION
from .permissions import MEMBERS


class OrganizationAPIView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = MEMBERS
    request: MemberApiRequest

    @property
    def organization(self) -> Organization:
        return self.request.organization
