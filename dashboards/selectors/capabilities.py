"""Which features the administrations' providers support, read from the providers' declared capabilities.

Pages show or hide a feature (dimension filters, for one) from these, never from a provider's name."""

from __future__ import annotations

from dataclasses import dataclass

from ledger import capabilities as registry
from ledger.capabilities import Capability, UnknownProvider
from ledger.models import Administration


@dataclass(frozen=True, slots=True)
class CapabilityStatus:
    capability: Capability
    available: bool  # every chosen administration's provider declares it
    providers_without: tuple[str, ...]  # the names of the providers that do not


def administrations_capability(*, administrations: list[Administration], capability: Capability) -> CapabilityStatus:
    without: list[str] = []
    for key in sorted({a.provider for a in administrations}):
        try:
            provider = registry.get(key)
        except UnknownProvider:
            without.append(key)
            continue
        if not provider.has(capability):
            without.append(provider.name)
    return CapabilityStatus(capability=capability, available=not without, providers_without=tuple(without))
