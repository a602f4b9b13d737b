"""The organisation's aging settings for the Outstanding Items dashboard."""

from __future__ import annotations

from monitr.tenancy.models import Organization

from ..models import OutstandingSettings


def outstanding_settings_get(*, organization: Organization) -> OutstandingSettings:
    """The saved settings, or unsaved defaults: reading never writes."""
    found = OutstandingSettings.objects.for_organization(organization).first()
    return found or OutstandingSettings(organization=organization)
