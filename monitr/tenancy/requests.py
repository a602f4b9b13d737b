"""The request as Monitr's views see it: what the middleware and the access checks have put on it, typed.

Django's ``HttpRequest`` knows nothing of ``request.organization``; these classes say what it holds, for the type
checker. No request is ever one of them at run time: a view names the one that matches the check in front of it.

- :class:`TenantRequest`: any request once ``OrganizationMiddleware`` has run (``organization`` may be ``None``).
- :class:`MemberRequest`: a request that ``member_required``, ``admin_required`` or ``MemberRequiredMixin`` let
  through: a signed-in user, working in one of their organisations.
- :class:`MemberApiRequest`: the same for an API view behind ``IsOrganizationMember``, signed in by session or by API
  token (``ApiTokenAuthentication`` sets the same attributes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from monitr.accounts.models import User

    from .models import Membership, Organization


class TenantRequest(HttpRequest):
    htmx: HtmxDetails
    # The signed-in user's memberships, by organisation name; empty for anonymous users.
    memberships: list[Membership]
    # The membership in the organisation chosen in the top bar (or the first); None without any.
    membership: Membership | None
    organization: Organization | None


class MemberRequest(TenantRequest):
    user: User
    membership: Membership
    organization: Organization


class MemberApiRequest(Request):
    user: User
    memberships: list[Membership]
    membership: Membership
    organization: Organization
