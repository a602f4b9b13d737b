"""The organisation switcher and the members page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .access import member_required
from .middleware import remember_organization
from .models import Membership


@require_POST
@member_required
def switch_organization(request: HttpRequest) -> HttpResponse:
    try:
        organization_id = int(request.POST.get("organization", ""))
    except ValueError:
        organization_id = 0
    if not remember_organization(request, organization_id):
        messages.error(request, "You are not a member of that organisation.")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) or not target.startswith("/"):
        target = "/"
    # A URL, never a view name: redirect() would try to reverse any other text and fail.
    return HttpResponseRedirect(target)


@member_required
def members(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(organization=request.organization)  # type: ignore[attr-defined]
        .select_related("user")
        .order_by("role", "user__email")
    )
    return render(request, "tenancy/members.html", {"memberships": memberships})
