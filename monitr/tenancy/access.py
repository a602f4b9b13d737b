"""Who may open what: decorators for function views and mixins for class-based ones.

``member_required``: signed in and a member of the current organisation. ``admin_required``: the same, with the
admin role. Anonymous users go to the login page; a member on an admin action gets a 403 page that says why.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from .requests import TenantRequest


def _refusal(request: TenantRequest, *, need_admin: bool) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.organization is None or request.membership is None:
        return render(request, "tenancy/no_organization.html", status=403)
    if need_admin and not request.membership.is_admin:
        return render(request, "403.html", {"reason": _("Only an admin of this organisation can do this.")}, status=403)
    return None


def _guard(need_admin: bool) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: TenantRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            return _refusal(request, need_admin=need_admin) or view(request, *args, **kwargs)

        # Read by the security crawl (tests/security): an admin-only view must refuse members, whatever its URL.
        wrapped.admin_only = need_admin  # type: ignore[attr-defined]
        return wrapped

    return decorator


member_required = _guard(need_admin=False)
admin_required = _guard(need_admin=True)


class MemberRequiredMixin:
    need_admin = False

    def dispatch(self, request: TenantRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return _refusal(request, need_admin=self.need_admin) or super().dispatch(  # type: ignore[misc]
            request, *args, **kwargs
        )


class AdminRequiredMixin(MemberRequiredMixin):
    need_admin = True
