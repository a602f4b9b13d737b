"""The organisation switcher, the members page and removing a member."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .access import admin_required, member_required
from .middleware import remember_organization
from .models import Membership
from .requests import MemberRequest
from .scoping import get_for_organization_or_404
from .services import membership_remove


@require_POST
@member_required
def switch_organization(request: MemberRequest) -> HttpResponse:
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
def members(request: MemberRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(organization=request.organization)
        .select_related("user")
        .order_by("role", "user__email")
    )
    # The last admin cannot be removed (membership_remove refuses): no Remove button is offered for them.
    admins = sum(1 for m in memberships if m.is_admin)
    return render(request, "tenancy/members.html", {"memberships": memberships, "only_admin": admins == 1})


@require_POST
@admin_required
def member_remove(request: MemberRequest, pk: int) -> HttpResponse:
    membership = get_for_organization_or_404(Membership, request.organization, pk=pk)
    try:
        revoked = membership_remove(membership=membership)
    except ValueError as exc:
        messages.error(request, f"{exc} Make someone else admin first.")
        return redirect("tenancy:members")
    tokens = f" and {revoked} API token{'' if revoked == 1 else 's'} revoked" if revoked else ""
    messages.success(request, f"{membership.user.email} removed from {membership.organization.name}{tokens}.")
    if membership.user_id == request.user.pk:
        return redirect("/")  # one's own membership is gone: the members page is no longer one's to see
    return redirect("tenancy:members")
