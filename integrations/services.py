"""Writes behind the Integrations pages and commands: connect, update the credentials, sync now, remove, delete.

Keyword-only, typed, and the only place these models change. Each returns what the caller needs to tell the user;
a refusal is a :class:`ConnectionRefused` with a message to show. Syncs start after the transaction commits.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_noop

from ledger.models import Administration
from ledger.services import administration_delete
from monitr.tenancy.models import Organization
from monitr.web.stored_text import shown
from monitr.web.text import end_sentence

from . import registry
from .models import Connection, ConnectionStatus, Integration, SyncTrigger
from .providers import AdministrationChoice, CredentialsCheck, Provider
from .tasks import SyncUnavailable as SyncUnavailable  # raised from the commit of the writes below; views catch it
from .tasks import sync_enqueue

# The status messages are stored in English and translated where a page shows them (monitr.web.stored_text).
# New credentials whose first sync could not be queued: not Waiting (nothing waits), and due at once, so the beat
# queues it as soon as the broker is back.
NOT_QUEUED = gettext_noop(
    "The sync could not start: syncing was unavailable. It starts by itself once syncing is back."
)
FIRST_IMPORT_SOON = gettext_noop("The first import starts in a moment.")
UPDATED_SYNC_SOON = gettext_noop("The connection was updated; a sync starts in a moment.")
SYNC_REQUESTED = gettext_noop("Sync requested; it starts in a moment.")


class ConnectionRefused(Exception):
    """The request cannot be carried out; ``str()`` is the message for the user."""


def _transport(provider: Provider, check: CredentialsCheck) -> str:
    if not provider.transport_allowed(check.transport):
        # The provider's own check handed back a way in it does not declare: a fault in the provider, not the user's.
        raise ValueError(f"The provider {provider.key!r} declares no transport {check.transport!r}.")
    return check.transport


def _choice(check: CredentialsCheck, external_id: str) -> AdministrationChoice:
    for choice in check.administrations:
        if choice.external_id == external_id:
            return choice
    raise ConnectionRefused(gettext("These credentials do not reach that administration. Choose one from the list."))


@transaction.atomic
def connection_create(
    *, organization: Organization, provider_key: str, check: CredentialsCheck, external_id: str, user=None
) -> Connection:
    """Connect one administration. Books imported before under the same administration are re-attached."""
    transport = _transport(registry.get(provider_key), check)
    choice = _choice(check, external_id)
    if not choice.importable:
        raise ConnectionRefused(shown(choice.note) or gettext("These credentials cannot import that administration."))
    integration, _ = Integration.objects.get_or_create(
        organization=organization, provider_key=provider_key, defaults={"created_by": user}
    )
    administration, _ = Administration.objects.select_for_update().get_or_create(
        organization=organization, provider=provider_key, external_id=external_id, defaults={"name": choice.name}
    )
    if Connection.objects.filter(administration=administration).exists():
        raise ConnectionRefused(gettext("%(name)s is already connected.") % {"name": administration.name})
    administration.name = choice.name
    administration.disconnected_at = None
    administration.save(update_fields=["name", "disconnected_at"])
    connection = Connection.objects.create(
        integration=integration,
        administration=administration,
        credentials=check.secret,
        credentials_hint=check.hint,
        transport=transport,
        status=ConnectionStatus.WAITING,
        status_message=FIRST_IMPORT_SOON,
    )
    sync_enqueue(connection=connection, trigger=SyncTrigger.CONNECT, on_unavailable=lambda: _not_queued(connection))
    return connection


@transaction.atomic
def connection_update_credentials(*, connection: Connection, check: CredentialsCheck) -> Connection:
    """Reconnect in place with new credentials for the same administration; history, data and schedule stay."""
    provider = connection.integration.provider
    transport = _transport(provider, check)
    external_id = connection.administration.external_id
    try:
        choice = _choice(check, external_id)
    except ConnectionRefused:
        raise ConnectionRefused(
            gettext(
                "These credentials do not reach %(administration)s Use credentials that have access to that "
                "administration."
            )
            % {"administration": end_sentence(connection.administration.name)}
        ) from None
    if not choice.importable:
        raise ConnectionRefused(
            shown(choice.note)
            or gettext("These credentials cannot import %(administration)s")
            % {"administration": end_sentence(connection.administration.name)}
        )
    connection.credentials = check.secret
    connection.credentials_hint = check.hint
    connection.transport = transport
    connection.status = ConnectionStatus.WAITING
    connection.status_message = UPDATED_SYNC_SOON
    connection.save(
        update_fields=["credentials", "credentials_hint", "transport", "status", "status_message", "updated_at"]
    )
    sync_enqueue(connection=connection, trigger=SyncTrigger.RECONNECT, on_unavailable=lambda: _not_queued(connection))
    return connection


def _not_queued(connection: Connection) -> None:
    Connection.objects.filter(pk=connection.pk, status=ConnectionStatus.WAITING).update(
        status=ConnectionStatus.FAILED, status_message=NOT_QUEUED, next_sync_at=timezone.now()
    )


@transaction.atomic
def connection_sync_now(*, connection: Connection) -> None:
    """Queue a sync and show it as Waiting. Raises :class:`SyncUnavailable` when the broker cannot take it; the
    status is then put back as it was."""
    if connection.status == ConnectionStatus.RECONNECT_NEEDED:
        the_noun = connection.integration.provider.credentials_the
        raise ConnectionRefused(
            capfirst(
                gettext("%(the_noun)s must be updated before this connection can sync again.") % {"the_noun": the_noun}
            )
        )
    if connection.is_syncing:
        raise ConnectionRefused(gettext("A sync is already running."))
    requested = SYNC_REQUESTED
    Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.WAITING, status_message=requested)

    def put_back() -> None:
        Connection.objects.filter(pk=connection.pk, status=ConnectionStatus.WAITING, status_message=requested).update(
            status=connection.status, status_message=connection.status_message
        )

    sync_enqueue(connection=connection, trigger=SyncTrigger.MANUAL, on_unavailable=put_back)


@transaction.atomic
def connection_remove(*, connection: Connection) -> Administration:
    """Stop importing; the administration's books stay, marked disconnected, and remain readable."""
    administration = connection.administration
    administration.disconnected_at = timezone.now()
    administration.save(update_fields=["disconnected_at"])
    connection.delete()
    return administration


@transaction.atomic
def integration_delete(*, integration: Integration, delete_data: bool) -> int:
    """Delete the integration and its connections; the imported books too only when ``delete_data``.
    Returns the number of administrations whose data was deleted."""
    for connection in list(integration.connections.select_related("administration")):
        connection_remove(connection=connection)
    deleted = 0
    if delete_data:
        for administration in integration_administrations(integration=integration):
            administration_delete(administration=administration)
            deleted += 1
    integration.delete()
    return deleted


def integration_administrations(*, integration: Integration):
    """Every administration whose books this integration imported, connected now or before."""
    return Administration.objects.filter(organization=integration.organization, provider=integration.provider_key)
