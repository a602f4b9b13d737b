"""Which features the administrations' providers support, read from the providers' declared capabilities.

Pages show or hide a feature (dimension filters, for one) from these, never from a provider's name."""

from __future__ import annotations

from dataclasses import dataclass

from ledger import capabilities as registry
from ledger.capabilities import Capability, UnknownProvider
from ledger.models import Administration, CostCenter
from monitr.tenancy.models import Organization


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


@dataclass(frozen=True, slots=True)
class ReportingAxes:
    """What the pages can report along besides the accounts: cost centres, where every chosen administration's
    provider declares them (``Capability.COST_CENTRES``) and the books have some, and other analytical axes
    (projects, departments: ``Capability.DIMENSIONS``), which no provider declares yet."""

    cost_centres: CapabilityStatus
    dimensions: CapabilityStatus
    cost_centers: tuple[CostCenter, ...]  # of the chosen administrations, by name: what the filter offers

    @property
    def by_cost_centre(self) -> bool:
        return self.cost_centres.available and bool(self.cost_centers)


def reporting_axes(*, organization: Organization, administrations: list[Administration]) -> ReportingAxes:
    """The reporting axes of the page's administrations (one query, for their cost centres)."""
    centres = CostCenter.objects.for_organization(organization).filter(administration__in=administrations)
    return ReportingAxes(
        cost_centres=administrations_capability(administrations=administrations, capability=Capability.COST_CENTRES),
        dimensions=administrations_capability(administrations=administrations, capability=Capability.DIMENSIONS),
        cost_centers=tuple(centres.select_related("administration").order_by("name", "pk")),
    )
