"""The Integrations pages: provider cards with their connections, the Add wizard, the gear's actions, history.

Members see the cards and statuses; only admins see Add and the gear, and only admins may post to the actions.
Credentials entered here are checked against the provider, kept encrypted in the session between the wizard's
steps, and never rendered back into a page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from monitr.logs import get_logger
from monitr.tenancy.access import admin_required, member_required
from monitr.tenancy.requests import MemberRequest
from monitr.tenancy.scoping import get_for_organization_or_404
from monitr.web.numbers import format_count

from . import registry, services
from .errors import IntegrationError
from .fleet import fleet_status
from .http.budget import FIRST_IMPORT, MANUAL, SCHEDULED
from .models import Connection, Integration, SyncRun
from .pending import pending_clear, pending_load, pending_store
from .providers import Category, Provider

log = get_logger(__name__)

# The broker's lanes, as the fleet page names them.
LANE_LABELS = {MANUAL: _("Sync now"), FIRST_IMPORT: _("First imports"), SCHEDULED: _("Schedule")}


def _provider_or_404(key: str) -> Provider:
    try:
        return registry.get(key)
    except registry.UnknownProvider:
        raise Http404("No such provider.") from None


def _with_latest_run(connections):
    """Attach each connection's most recent SyncRun in two queries, however many runs there are."""
    latest = SyncRun.objects.filter(connection=OuterRef("pk")).order_by("-started_at", "-pk").values("pk")[:1]
    connections = list(connections.annotate(latest_run_id=Subquery(latest)))
    runs = SyncRun.objects.in_bulk([c.latest_run_id for c in connections if c.latest_run_id])
    for connection in connections:
        connection.latest_run = runs.get(connection.latest_run_id)
    return connections


@login_required
def fleet(request: HttpRequest) -> HttpResponse:
    """The sync fleet across every organisation, for Monitr's operators (superusers) only: others get a 404, as if
    the page did not exist."""
    if not getattr(request.user, "is_superuser", False):
        raise Http404("No such page.")
    status = fleet_status()
    lanes = [(LANE_LABELS[priority], queued) for priority, queued in status.queued.items()]
    return render(request, "integrations/fleet.html", {"fleet": status, "lanes": lanes})


@member_required
def index(request: MemberRequest) -> HttpResponse:
    return redirect("integrations:category", category=Category.ACCOUNTING.value)


@member_required
def category(request: MemberRequest, category: str) -> HttpResponse:
    try:
        current = Category(category)
    except ValueError:
        raise Http404("No such category.") from None
    organization = request.organization
    integrations = {i.provider_key: i for i in Integration.objects.for_organization(organization)}
    connections = _with_latest_run(
        Connection.objects.for_organization(organization).select_related("integration", "administration")
    )
    cards = []
    for provider in registry.by_category(current):
        mine = [c for c in connections if c.integration.provider_key == provider.key]
        cards.append(
            {
                "provider": provider,
                "integration": integrations.get(provider.key),
                "connections": mine,
            }
        )
    return render(
        request,
        "integrations/index.html",
        {"categories": list(Category), "current": current, "cards": cards},
    )


@member_required
def connection_status(request: MemberRequest, pk: int) -> HttpResponse:
    """The live part of a connection row; htmx polls it while a sync waits or runs."""
    organization = request.organization
    found = _with_latest_run(Connection.objects.for_organization(organization).filter(pk=pk))
    if not found:
        raise Http404("No such connection.")
    return render(request, "integrations/_connection_status.html", {"connection": found[0]})


# Every field of a credentials form, whatever the provider calls them, is left out of Django's error reports.
hide_credentials = sensitive_post_parameters()


@hide_credentials
@admin_required
def add(request: MemberRequest, provider_key: str) -> HttpResponse:
    provider = _provider_or_404(provider_key)
    if provider.add_url_name:
        return redirect(provider.add_url())
    form = provider.credentials_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check = provider.check_credentials(form.cleaned_data)
        except IntegrationError as error:
            log.info("integrations.credentials_refused", provider=provider.key, error=type(error).__name__)
            form.add_error(None, error.user_message)
        else:
            pending_store(request, provider_key=provider.key, check=check, purpose="add")
            return redirect("integrations:add_administration", provider_key=provider.key)
    return render(request, "integrations/add_credentials.html", {"provider": provider, "form": form})


@admin_required
def add_administration(request: MemberRequest, provider_key: str) -> HttpResponse:
    provider = _provider_or_404(provider_key)
    if provider.add_url_name:
        return redirect(provider.add_url())
    check = pending_load(request, provider_key=provider.key, purpose="add")
    if check is None:
        messages.info(
            request, gettext("Enter the credentials again: the wizard was idle for too long or was cancelled.")
        )
        return redirect("integrations:add", provider_key=provider.key)
    organization = request.organization
    connected = set(
        Connection.objects.for_organization(organization)
        .filter(integration__provider_key=provider.key)
        .values_list("administration__external_id", flat=True)
    )
    error = ""
    if request.method == "POST":
        if request.POST.get("cancel"):
            pending_clear(request)
            return redirect("integrations:category", category=provider.category.value)
        external_id = request.POST.get("administration", "")
        if not external_id:
            error = gettext("Choose the administration to connect.")
        else:
            try:
                connection = services.connection_create(
                    organization=organization,
                    provider_key=provider.key,
                    check=check,
                    external_id=external_id,
                    user=request.user,
                )
            except services.ConnectionRefused as refused:
                error = str(refused)
            except services.SyncUnavailable as unavailable:
                pending_clear(request)
                name = next(c.name for c in check.administrations if c.external_id == external_id)
                messages.warning(
                    request,
                    gettext("%(name)s is connected, but its first import waits. %(reason)s")
                    % {"name": name, "reason": unavailable},
                )
                return redirect("integrations:category", category=provider.category.value)
            else:
                pending_clear(request)
                messages.success(
                    request,
                    gettext("%(name)s is connected. The first import has started.")
                    % {"name": connection.administration.name},
                )
                return redirect("integrations:category", category=provider.category.value)
    return render(
        request,
        "integrations/add_administration.html",
        {
            "provider": provider,
            "choices": [{"choice": c, "already": c.external_id in connected} for c in check.administrations],
            "error": error,
        },
    )


def _connection_for_admin(request: MemberRequest, pk: int) -> Connection:
    return get_for_organization_or_404(Connection, request.organization, pk=pk)


@require_POST
@admin_required
def sync_now(request: MemberRequest, pk: int) -> HttpResponse:
    connection = _connection_for_admin(request, pk)
    try:
        services.connection_sync_now(connection=connection)
    except (services.ConnectionRefused, services.SyncUnavailable) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, gettext("A sync of %(name)s has started.") % {"name": connection.administration.name})
    return redirect("integrations:category", category=connection.integration.provider.category.value)


@hide_credentials
@admin_required
def update_key(request: MemberRequest, pk: int) -> HttpResponse:
    connection = _connection_for_admin(request, pk)
    provider = connection.integration.provider
    if provider.update_url_name:
        return redirect(provider.update_url(connection.pk))
    form = provider.credentials_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check = provider.check_credentials(form.cleaned_data)
            services.connection_update_credentials(connection=connection, check=check)
        except IntegrationError as error:
            form.add_error(None, error.user_message)
        except services.ConnectionRefused as refused:
            form.add_error(None, str(refused))
        except services.SyncUnavailable as unavailable:
            messages.warning(
                request,
                capfirst(
                    gettext("%(the_noun)s of %(name)s is updated. %(reason)s")
                    % {
                        "the_noun": provider.credentials_the,
                        "name": connection.administration.name,
                        "reason": unavailable,
                    }
                ),
            )
            return redirect("integrations:category", category=provider.category.value)
        else:
            messages.success(
                request,
                capfirst(
                    gettext("%(the_noun)s of %(name)s is updated. A sync has started.")
                    % {"the_noun": provider.credentials_the, "name": connection.administration.name}
                ),
            )
            return redirect("integrations:category", category=provider.category.value)
    context = {
        "provider": provider,
        "connection": connection,
        "form": form,
        "title": provider.update_title(connection.administration.name),
    }
    return render(request, "integrations/update_key.html", context)


@admin_required
def remove(request: MemberRequest, pk: int) -> HttpResponse:
    connection = _connection_for_admin(request, pk)
    provider = connection.integration.provider
    if request.method == "POST":
        administration = services.connection_remove(connection=connection)
        messages.success(
            request,
            gettext("%(name)s is disconnected. Its imported data stays readable in the dashboards.")
            % {"name": administration.name},
        )
        return redirect("integrations:category", category=provider.category.value)
    return render(request, "integrations/remove.html", {"provider": provider, "connection": connection})


@admin_required
def delete(request: MemberRequest, provider_key: str) -> HttpResponse:
    provider = _provider_or_404(provider_key)
    organization = request.organization
    integration = Integration.objects.for_organization(organization).filter(provider_key=provider.key).first()
    if integration is None:
        raise Http404("This organisation has no such integration.")
    books = services.integration_administrations(integration=integration)
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm_name", "").strip() != organization.name:
            error = gettext("Type the organisation's name, %(name)s, exactly to confirm.") % {"name": organization.name}
        else:
            deleted = services.integration_delete(
                integration=integration, delete_data=bool(request.POST.get("delete_data"))
            )
            note = (
                ngettext(
                    "The imported data of %(count)s administration was deleted.",
                    "The imported data of %(count)s administrations was deleted.",
                    deleted,
                )
                % {"count": format_count(deleted)}
                if deleted
                else gettext("The imported data stays readable in the dashboards.")
            )
            messages.success(
                request,
                gettext("The %(provider)s integration is deleted. %(note)s")
                % {"provider": provider.name, "note": note},
            )
            return redirect("integrations:category", category=provider.category.value)
    return render(
        request,
        "integrations/delete.html",
        {"provider": provider, "integration": integration, "books": books, "error": error},
    )


@member_required
def history(request: MemberRequest, pk: int) -> HttpResponse:
    connection = get_for_organization_or_404(Connection, request.organization, pk=pk)
    page = Paginator(connection.runs.order_by("-started_at", "-pk"), 25).get_page(request.GET.get("page"))
    # A provider that calls no API (a file is read) records no calls: its history has no column of them.
    context = {"connection": connection, "page": page, "api_calls_shown": any(run.api_calls_total for run in page)}
    return render(request, "integrations/history.html", context)
