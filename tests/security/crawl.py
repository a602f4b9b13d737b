"""Every URL pattern of the project, read from Django's URL resolver, and how to fill its keyword arguments.

A new URL is crawled by the security suites without anyone listing it: a pattern without arguments as it is, one
with arguments through :data:`FILL`. A pattern with arguments that :data:`FILL` does not know makes
:func:`urls_for` fail with a message naming it, so the crawl never silently skips a new URL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from monitr.tenancy.models import Membership

from .conftest import Tenant

# Patterns meant for everyone, signed in or not. Django's static files and /healthz are not URL patterns at all
# (WhiteNoise and HealthCheckMiddleware answer them before the URL resolver), so they need no entry here.
PUBLIC = {
    "login",  # the sign-in page itself
    "logout",  # signing out is harmless for anyone; POST only
    "language",  # the language of the pages: the sign-in page offers it too; it reads and changes no tenant's data
    "api:schema",  # the OpenAPI schema: documentation of the API, no data
    "api:docs",  # Swagger UI over that schema
    "tenancy:invitation_link",  # an invitation e-mail's link: its secret is the key, for someone not signed in yet
    "tenancy:invitation_accept",  # where that link leads: the invitation is the one whose secret the session holds
    "notify:unsubscribe",  # a digest's unsubscribe link: its signed token is the key, and it only stops that digest
}


@dataclass(frozen=True)
class Fill:
    """How to fill a pattern's arguments for a tenant. ``owned``: the arguments name one of the tenant's objects (so
    another organisation's value must be a 404); otherwise they are names of pages (a provider, a statement)."""

    owned: bool
    kwargs: Callable[[Tenant], list[dict[str, Any]]]


def _connection(t: Tenant) -> list[dict[str, Any]]:
    return [{"pk": t.connection.pk}]


def _provider(t: Tenant) -> list[dict[str, Any]]:
    return [{"provider_key": t.connection.integration.provider_key}]


def _member(t: Tenant) -> list[dict[str, Any]]:
    return [{"pk": Membership.objects.get(organization=t.organization, user=t.member).pk}]


def _ledger_upload(t: Tenant) -> list[dict[str, Any]]:
    return [{"upload": t.ledger_upload.pk}]


FILL: dict[str, Fill] = {
    "integrations:connection_status": Fill(True, _connection),
    "integrations:sync_now": Fill(True, _connection),
    "integrations:update_key": Fill(True, _connection),
    "integrations:remove": Fill(True, _connection),
    "integrations:history": Fill(True, _connection),
    "integrations:add": Fill(False, _provider),
    "integrations:add_administration": Fill(False, _provider),
    "integrations:delete": Fill(False, _provider),
    "integrations:category": Fill(False, lambda t: [{"category": "accounting"}]),
    "ledgerfile:add_columns": Fill(True, _ledger_upload),
    "ledgerfile:add_check": Fill(True, _ledger_upload),
    "ledgerfile:add_preview": Fill(True, _ledger_upload),
    "ledgerfile:replace": Fill(True, _connection),
    "ledgerfile:replace_columns": Fill(True, lambda t: [{"pk": t.connection.pk, "upload": t.ledger_upload.pk}]),
    "ledgerfile:replace_check": Fill(True, lambda t: [{"pk": t.connection.pk, "upload": t.ledger_upload.pk}]),
    "ledgerfile:replace_preview": Fill(True, lambda t: [{"pk": t.connection.pk, "upload": t.ledger_upload.pk}]),
    "dashboards:outstanding_export": Fill(
        False,
        lambda t: [{"table": table, "file_format": f} for table in ("relations", "items") for f in ("csv", "xlsx")],
    ),
    "dashboards:transactions_export": Fill(False, lambda t: [{"file_format": f} for f in ("csv", "xlsx")]),
    "dashboards:outstanding_forecast_export": Fill(False, lambda t: [{"file_format": f} for f in ("csv", "xlsx")]),
    "dashboards:statement_line": Fill(
        False,
        lambda t: [
            {"statement": "pnl", "line": "revenue"},
            {"statement": "balance-sheet", "line": "receivables"},
        ],
    ),
    "dashboards:relation_statement_pdf": Fill(True, lambda t: [{"pk": t.relation.pk}]),
    "dashboards:account": Fill(True, lambda t: [{"pk": t.account.pk}]),
    "dashboards:transaction": Fill(True, lambda t: [{"pk": t.transaction.pk}]),
    "dashboards:note_add": Fill(True, lambda t: [{"relation": t.relation.pk}]),
    "dashboards:note_edit": Fill(True, lambda t: [{"pk": t.note.pk}]),
    "dashboards:note_delete": Fill(True, lambda t: [{"pk": t.note.pk}]),
    "dashboards:note_done": Fill(True, lambda t: [{"pk": t.note.pk}]),
    "api:connection_sync": Fill(True, lambda t: [{"pk": str(t.connection.pk)}]),
    "accounts:api_token_revoke": Fill(True, lambda t: [{"pk": t.token.pk}]),
    "tenancy:member_remove": Fill(True, _member),
    "tenancy:member_role": Fill(True, _member),
    "tenancy:invitation_resend": Fill(True, lambda t: [{"pk": t.invitation.pk}]),
    "tenancy:invitation_revoke": Fill(True, lambda t: [{"pk": t.invitation.pk}]),
    "tenancy:invitation_link": Fill(False, lambda t: [{"secret": "not-an-invitation"}]),
    "notify:unsubscribe": Fill(False, lambda t: [{"token": "not-a-token"}]),
    "notify:alert_delete": Fill(True, lambda t: [{"pk": t.alert_rule.pk}]),
    "notify:alert_follow": Fill(True, lambda t: [{"pk": t.alert_rule.pk}]),
}


@dataclass(frozen=True)
class Route:
    name: str | None
    route: str
    kwargs: tuple[str, ...]
    callback: Callable[..., Any]

    @property
    def admin_only(self) -> bool:
        """Refuses members: a function view under ``admin_required``, a class view with the admin mixin or DRF's
        admin permission."""
        if getattr(self.callback, "admin_only", False):
            return True
        view_class = getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)
        if view_class is None:
            return False
        if getattr(view_class, "need_admin", False):
            return True
        return any(p.__name__ == "IsOrganizationAdmin" for p in getattr(view_class, "permission_classes", ()))

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")


def _kwarg_names(pattern: URLPattern | URLResolver) -> tuple[str, ...]:
    inner = pattern.pattern
    converters = getattr(inner, "converters", None)
    if converters is not None:
        return tuple(converters)
    return tuple(inner.regex.groupindex)


def routes() -> list[Route]:
    def walk(patterns, namespace: str, prefix: str, kwargs: tuple[str, ...]) -> Iterator[Route]:
        for pattern in patterns:
            names = kwargs + _kwarg_names(pattern)
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = (
                    f"{namespace}:{pattern.namespace}"
                    if namespace and pattern.namespace
                    else (pattern.namespace or namespace)
                )
                yield from walk(pattern.url_patterns, inner, route, names)
            else:
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                yield Route(name=name, route=route, kwargs=names, callback=pattern.callback)

    return list(walk(get_resolver().url_patterns, "", "", ()))


def urls_for(route: Route, tenant: Tenant) -> list[str]:
    """The URLs of ``route`` filled with ``tenant``'s objects; a pattern the crawl cannot fill fails the test."""
    if route.name is None:
        pytest.fail(f"URL pattern {route.route!r} has no name: name it so the security crawl can reverse it.")
    if not route.kwargs:
        return [reverse(route.name)]
    fill = FILL.get(route.name)
    if fill is None:
        pytest.fail(
            f"URL pattern {route.name} ({route.route!r}) takes {', '.join(route.kwargs)}, which the security crawl "
            "cannot fill: add it to FILL in tests/security/crawl.py (owned=True when it names a tenant's object)."
        )
    return [reverse(route.name, kwargs=kwargs) for kwargs in fill.kwargs(tenant)]


def crawled() -> list[Route]:
    """Every route but the public ones."""
    return [r for r in routes() if r.name not in PUBLIC]


def post_data(tenant: Tenant) -> dict[str, Any]:
    """One form body that every action accepts the fields of, with ``tenant``'s ids and names: a confirmation, an
    account move, a chosen administration, a token name, a key."""
    return {
        "confirm_name": tenant.organization.name,
        "delete_data": "on",
        "account": tenant.account.pk,
        "line": "revenue",
        "administration": tenant.administration.external_id,
        "organization": tenant.organization.pk,
        "name": "crawler",
        "api_key": "crawler-key-0123456789",
        "boundaries": "30,60,90",
    }
