"""An organisation's integration with a provider, and its connections to the provider's administrations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from integrations.registry import get as get_provider
from ledger.models import Administration
from monitr.fields import EncryptedJSONField
from monitr.tenancy.models import Organization
from monitr.tenancy.scoping import TenantManager


class Integration(models.Model):
    """One provider in use by one organisation; it holds that organisation's connections to the provider."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="integrations")
    provider_key = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    tenant_path = "organization"
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "provider_key"], name="integration_one_per_provider")
        ]

    def __str__(self) -> str:
        return f"{self.provider.name} for {self.organization}"

    @property
    def provider(self):  # -> Provider
        return get_provider(self.provider_key)


class ConnectionStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    IN_PROGRESS = "in_progress", _("In progress")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    RECONNECT_NEEDED = "reconnect_needed", _("Reconnect needed")


# Said of a run whose lease ran out before it ended: its worker died, or stopped answering for longer than the lease.
# Stored in English; pages translate it (monitr.web.stored_text).
INTERRUPTED = gettext_noop(
    "The import stopped before it finished: its worker stopped or stopped responding. The next sync picks it up."
)


class Connection(models.Model):
    """Monitr's link to one administration: the (encrypted) credentials, the status and the schedule."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="connections")
    administration = models.OneToOneField(Administration, on_delete=models.CASCADE, related_name="connection")
    credentials = EncryptedJSONField()
    credentials_hint = models.CharField(max_length=40, help_text="The credentials masked, e.g. ••••3f9a.")
    transport = models.CharField(
        max_length=20, blank=True, default="", help_text="Which of its provider's transports the credentials use."
    )
    status = models.CharField(max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.WAITING)
    status_message = models.TextField(blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    next_sync_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The lease of the run that holds this connection's sync lock (see integrations.sync.lock).
    sync_lock = models.CharField(max_length=32, blank=True, default="")
    sync_lock_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_path = "integration__organization"
    objects = TenantManager()

    class Meta:
        ordering = ["administration__name"]

    def __str__(self) -> str:
        return f"{self.administration} ({self.get_status_display()})"

    def __repr__(self) -> str:
        # Never the credentials: only what identifies the connection.
        return f"<Connection {self.pk} {self.integration.provider_key} {self.credentials_hint}>"

    @property
    def transport_label(self) -> str:
        """What the provider calls the way in these credentials use ("API key")."""
        return self.integration.provider.transport_label(self.transport)

    @property
    def is_syncing(self) -> bool:
        """A run holds a live lease; a status of In progress whose lease ran out belongs to a run that died."""
        return bool(self.sync_lock) and self.sync_lock_expires_at is not None and self.sync_lock_expires_at > now()

    @property
    def interrupted(self) -> bool:
        """Marked In progress while no run holds a live lease: the run died. Pages show it as failed at once; the
        beat's sweep writes that down a few minutes later and starts the connection again."""
        return self.status == ConnectionStatus.IN_PROGRESS and not self.is_syncing

    @property
    def shown_status(self) -> str:
        """The status to show: that of an interrupted run is Failed, not a frozen In progress."""
        return ConnectionStatus.FAILED if self.interrupted else self.status

    def get_shown_status_display(self) -> str:
        return str(ConnectionStatus(self.shown_status).label)

    @property
    def shown_status_message(self) -> str:
        return INTERRUPTED if self.interrupted else self.status_message

    @property
    def arrival(self):  # -> integrations.providers.Arrival | None
        """When the data this connection reads last arrived, for a provider that is not scheduled."""
        provider = self.integration.provider
        if provider.scheduled:
            return None
        return provider.arrival(self.administration)

    @property
    def metered_calls(self):  # -> integrations.providers.MeteredCalls | None
        """This period's calls with the connection's credential against the provider's limit, where it has one."""
        return self.integration.provider.metered_calls(self)

    @property
    def can_sync(self) -> bool:
        return self.status != ConnectionStatus.RECONNECT_NEEDED and not self.is_syncing
