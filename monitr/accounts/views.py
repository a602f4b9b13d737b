"""The API tokens settings page: a user lists, makes and revokes their own personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from monitr.tenancy.access import member_required
from monitr.tenancy.requests import MemberRequest

from .models import ApiToken
from .tokens import api_token_create, api_token_revoke


@require_http_methods(["GET", "POST"])
@member_required
def api_tokens(request: MemberRequest) -> HttpResponse:
    issued = None
    if request.method == "POST":
        issued = api_token_create(
            user=request.user,
            organization=request.organization,
            name=request.POST.get("name", ""),
        )
    # A new token's secret is rendered in the answer to the post itself and kept nowhere on the server (no redirect
    # carrying it through the session or messages). The page marks itself shown-once, so the browser's history entry
    # becomes a plain GET of this address: a reload or Back shows the list, neither the secret nor a second post.
    tokens = ApiToken.objects.filter(user=request.user).select_related("organization")
    return render(request, "accounts/api_tokens.html", {"tokens": tokens, "issued": issued})


@require_POST
@member_required
def api_token_revoke_view(request: MemberRequest, pk: int) -> HttpResponse:
    # Someone else's token (another user's, another organisation's) is not found, like every object not one's own.
    get_object_or_404(ApiToken, pk=pk, user=request.user)
    if api_token_revoke(user=request.user, token_id=pk):
        messages.success(request, _("Token revoked: programs using it are refused from now on."))
    else:
        messages.error(request, _("That token was already revoked."))
    return redirect("accounts:api_tokens")
