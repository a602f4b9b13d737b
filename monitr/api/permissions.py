"""Who may read the API: a signed-in member of an organisation, and for a few actions only its admins."""

from __future__ import annotations

from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView


class IsOrganizationMember(BasePermission):
    message = "You are not in an organisation yet."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return getattr(request, "organization", None) is not None


class IsOrganizationAdmin(BasePermission):
    message = "Only an admin of the organisation may do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        membership = getattr(request, "membership", None)
        return membership is not None and membership.is_admin


MEMBERS = [IsAuthenticated, IsOrganizationMember]
ADMINS = [*MEMBERS, IsOrganizationAdmin]
