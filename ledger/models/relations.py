"""Relations: the customers and suppliers of an administration."""

from __future__ import annotations

from django.db import models

from monitr.tenancy.scoping import TenantManager

from .administration import Administration


class Relation(models.Model):
    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="relations")
    external_id = models.CharField(max_length=100)
    code = models.CharField(max_length=50, blank=True)
    name = models.CharField(max_length=255)
    relation_type = models.CharField(max_length=20, blank=True, help_text="The provider's kind, e.g. business.")
    payment_term_days = models.PositiveIntegerField(null=True, blank=True)
    # Where a statement of open items goes, as the source gives it (empty when it gives none): street and number,
    # postal code, city, country (a code or a name, as the source writes it), and the e-mail address for invoices.
    address = models.CharField(max_length=255, blank=True)
    postal_code = models.CharField(max_length=50, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)

    tenant_path = "administration__organization"
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["administration", "external_id"], name="relation_unique_external_id")
        ]
        indexes = [models.Index(fields=["administration", "name"], name="relation_by_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
