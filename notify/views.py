"""A member's choice of e-mail digest for the organisation they are in, and the unsubscribe link of a digest, which
works without signing in (and with a mail client's one-click POST, RFC 8058); the notification list and the alert
rules: every member reads the list and follows or leaves a rule, admins add and delete rules."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from monitr.tenancy.access import admin_required, member_required
from monitr.tenancy.models import Membership
from monitr.tenancy.requests import MemberRequest

from .forms import AlertRuleForm, DigestForm
from .models import AlertRule, Frequency, Notification
from .services import membership_of_token, subscription_of
from .texts import rule_text

PER_PAGE = 50


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


@require_GET
@member_required
def notifications(request: MemberRequest) -> HttpResponse:
    """The organisation's notifications, newest first; opening the list marks them seen (the badge goes)."""
    unseen = request.membership.notifications_unseen
    rows = Notification.objects.for_organization(request.organization)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    if unseen:
        Membership.objects.filter(pk=request.membership.pk).update(notifications_unseen=0)
        request.membership.notifications_unseen = 0
    first_on_page = (page.number - 1) * PER_PAGE
    items = [{"notification": n, "text": n.text(), "new": first_on_page + i < unseen} for i, n in enumerate(page)]
    return render(
        request,
        "notify/notifications.html",
        {"page": page, "items": items, "rules": AlertRule.objects.for_organization(request.organization).count()},
    )


@require_GET
@member_required
def alerts(request: MemberRequest) -> HttpResponse:
    return _alerts_page(request, AlertRuleForm() if request.membership.is_admin else None)


def _alerts_page(request: MemberRequest, form: AlertRuleForm | None, status: int = 200) -> HttpResponse:
    rules = AlertRule.objects.for_organization(request.organization).prefetch_related("followers")
    rows = [
        {
            "rule": rule,
            "text": rule_text(rule),
            "following": any(f.pk == request.membership.pk for f in rule.followers.all()),
            "followers": len(rule.followers.all()),
        }
        for rule in rules
    ]
    return render(request, "notify/alerts.html", {"rows": rows, "form": form}, status=status)


@require_POST
@admin_required
def alert_add(request: MemberRequest) -> HttpResponse:
    form = AlertRuleForm(request.POST)
    if not form.is_valid():
        return _alerts_page(request, form, status=400)
    rule = form.save(membership=request.membership)
    messages.success(request, _("Alert added: %(rule)s. It is checked after every import.") % {"rule": rule_text(rule)})
    return redirect("notify:alerts")


@require_POST
@admin_required
def alert_delete(request: MemberRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AlertRule.objects.for_organization(request.organization), pk=pk)
    text = rule_text(rule)
    rule.delete()
    messages.success(request, _("Alert deleted: %(rule)s.") % {"rule": text})
    return redirect("notify:alerts")


@require_POST
@member_required
def alert_follow(request: MemberRequest, pk: int) -> HttpResponse:
    """Follow the rule (its e-mails come to you) or, with ``follow=0``, leave it."""
    rule = get_object_or_404(AlertRule.objects.for_organization(request.organization), pk=pk)
    if request.POST.get("follow") == "0":
        rule.followers.remove(request.membership)
        messages.success(request, _("You no longer get e-mails of this alert."))
    else:
        rule.followers.add(request.membership)
        messages.success(request, _("You get an e-mail when this alert fires."))
    return redirect("notify:alerts")
