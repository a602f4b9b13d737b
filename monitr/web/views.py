"""Pages that belong to no app: the start page and the error pages."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from monitr.tenancy.access import member_required
from monitr.tenancy.requests import MemberRequest

from .navigation import items_for


@member_required
def home(request: MemberRequest) -> HttpResponse:
    """Send the user to the first page the sidebar offers them."""
    items = items_for(is_admin=request.membership.is_admin)
    return redirect(items[0].url)


class LoginView(auth_views.LoginView):
    """Django's sign-in; a paused sign-in (too many failures, :mod:`monitr.accounts.throttle`) answers 429."""

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "locked"):
            response.status_code = 429
        return response


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its CSRF token (settings.CSRF_FAILURE_VIEW): said in words a user can act on."""
    reason = _(
        "This form could not be sent: it was open for too long, or it did not come from Monitr itself. "
        "Reload the page and try again."
    )
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
