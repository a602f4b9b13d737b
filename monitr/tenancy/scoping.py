"""Scoping of tenant-owned data to one organisation.

Every model that belongs to an organisation, directly or through a chain of foreign keys, uses
:class:`TenantQuerySet` (usually through ``TenantManager``) and names the path to its organisation in
``tenant_path``. Views then read ``Model.objects.for_organization(request.organization)`` and never see another
organisation's rows: an object of another organisation is simply not found (404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from .models import Organization

M = TypeVar("M", bound=models.Model)


class TenantQuerySet(models.QuerySet[M]):
    def for_organization(self, organization: Organization) -> Self:
        path = getattr(self.model, "tenant_path", None)
        if not path:
            raise TypeError(f"{self.model.__name__} has no tenant_path: it cannot be scoped to an organisation.")
        if organization is None:
            raise ValueError("An organisation is required to read tenant-owned data.")
        return self.filter(**{"pk" if path == "self" else path: organization.pk})


# Named, so that a type checker (django-stubs) can follow the manager made from the queryset.
_TenantManagerBase = models.Manager.from_queryset(TenantQuerySet)


class TenantManager(_TenantManagerBase[M]):
    """The default manager of tenant-owned models."""


def get_for_organization_or_404(model: type[M], organization: Organization, **lookup: Any) -> M:
    """One object of ``model`` that belongs to ``organization``; 404 when it is missing or someone else's."""
    # A tenant-owned model has objects = TenantManager() and its own DoesNotExist; type[Model] knows neither.
    try:
        return model.objects.for_organization(organization).get(**lookup)  # type: ignore[attr-defined]
    except model.DoesNotExist as exc:  # type: ignore[attr-defined]
        raise Http404(f"No {model._meta.verbose_name} matches the given query.") from exc
