"""A member's choice of e-mail digest for the organisation they are in, and the unsubscribe link of a digest, which
works without signing in (and with a mail client's one-click POST, RFC 8058)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from monitr.tenancy.access import member_required
from monitr.tenancy.requests import MemberRequest

from .forms import DigestForm
from .models import Frequency
from .services import membership_of_token, subscription_of


@require_http_methods(["GET", "POST"])
@member_required
def digest_settings(request: MemberRequest) -> HttpResponse:
    subscription = subscription_of(request.membership)
    form = DigestForm(request.POST or None, instance=subscription)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your digest choice is saved."))
        return redirect("notify:digest")
    return render(
        request,
        "notify/digest_settings.html",
        {"form": form, "subscription": subscription},
        status=400 if form.errors else 200,
    )


@csrf_exempt  # the signed token is the authority: a mail client's one-click unsubscribe posts without a session
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    membership = membership_of_token(token)
    if membership is None:
        raise Http404("This unsubscribe link is not valid.")
    subscription = subscription_of(membership)
    if request.method == "POST":
        subscription.frequency = Frequency.NONE
        subscription.save()
    return render(
        request,
        "notify/unsubscribe.html",
        {"organization": membership.organization, "done": subscription.frequency == Frequency.NONE},
    )
