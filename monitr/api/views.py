"""The view every endpoint of the API starts from: authenticated by token or session, for members of an
organisation, and reading through that organisation."""

from __future__ import annotations

from rest_framework.views import APIView

from .authentication import AUTHENTICATION
from .permissions import MEMBERS


class OrganizationAPIView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = MEMBERS

    @property
    def organization(self):
        return self.request.organization  # type: ignore[attr-defined]
