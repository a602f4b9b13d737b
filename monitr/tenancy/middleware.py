"""Sets ``request.organization``: the organisation the signed-in user is working in.

A user may belong to several organisations; the one chosen in the top bar is remembered in the session. Without a
valid choice the first organisation (by name) is used. Anonymous users, and users without any membership, get
``None``; the access decorators turn that into the login page or a clear "no organisation" page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .models import Membership
from .requests import TenantRequest

SESSION_KEY = "monitr_organization_id"


class OrganizationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: TenantRequest) -> HttpResponse:
        request.memberships = []
        request.membership = None
        request.organization = None
        if request.user.is_authenticated:
            memberships = list(
                Membership.objects.filter(user=request.user)
                .select_related("organization")
                .order_by("organization__name", "organization_id")
            )
            chosen = request.session.get(SESSION_KEY)
            current = next((m for m in memberships if m.organization_id == chosen), None)
            if current is None and memberships:
                current = memberships[0]
            request.memberships = memberships
            request.membership = current
            request.organization = current.organization if current else None
        return self.get_response(request)


def remember_organization(request: TenantRequest, organization_id: int) -> bool:
    """Switch the user to one of their organisations; False when they do not belong to it."""
    if not any(m.organization_id == organization_id for m in request.memberships):
        return False
    request.session[SESSION_KEY] = organization_id
    return True
