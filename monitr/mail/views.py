"""The admins' E-mail page: every message Monitr sent for the organisation, newest first, with whether it was
delivered and what the mail server said. Never the content (which is not kept once a message is delivered)."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from monitr.tenancy.access import admin_required
from monitr.tenancy.requests import MemberRequest
from monitr.web.outbox import outbox_open_to

from .models import MailMessage, MailStatus

PER_PAGE = 50


@require_GET
@admin_required
def mail_log(request: MemberRequest) -> HttpResponse:
    messages = MailMessage.objects.for_organization(request.organization).only(
        "kind", "to", "subject", "status", "attempts", "error", "created_at", "sent_at"
    )
    page = Paginator(messages, PER_PAGE).get_page(request.GET.get("page"))
    failed = MailMessage.objects.for_organization(request.organization).filter(status=MailStatus.FAILED).count()
    return render(
        request,
        "mail/log.html",
        {
            "page": page,
            "failed": failed,
            "sender": settings.DEFAULT_FROM_EMAIL,
            "outbox_url": reverse("outbox") if outbox_open_to(request.user) else None,
        },
    )
