"""Organisations (the tenants) and who belongs to them, in which role."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .scoping import TenantManager, TenantQuerySet


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    default_payment_term_days = models.PositiveSmallIntegerField(
        default=30,
        help_text=_("Days to pay when neither the invoice nor the relation says; sets the due dates of open items."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MEMBER = "member", _("Member")


class Membership(models.Model):
    """A user's place in an organisation. Admins connect and manage integrations; members read dashboards."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)
    # The notifications the member has not opened the list since (kept by ``notify``): the badge reads it with the
    # membership every request loads, so a page asks nothing more for it.
    notifications_unseen = models.PositiveIntegerField(default=0)

    tenant_path = "organization"
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique_user_organization")
        ]
        ordering = ["organization__name"]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class InvitationQuerySet(TenantQuerySet["Invitation"]):
    def open(self) -> InvitationQuerySet:
        """Neither accepted nor revoked: shown on the members page, expired or not."""
        return self.filter(accepted_at=None, revoked_at=None)


_InvitationManagerBase = models.Manager.from_queryset(InvitationQuerySet)


class InvitationManager(_InvitationManagerBase["Invitation"]):
    """The tenant manager of invitations, with :meth:`InvitationQuerySet.open`."""


class Invitation(models.Model):
    """An e-mail invitation to join an organisation in a role, accepted once through the link it carries.

    Only a SHA-256 digest of the link's secret is stored. Resending replaces the secret (the earlier link stops
    working) and starts a new expiry; accepting or revoking closes the invitation for good."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    tenant_path = "organization"
    objects = InvitationManager()

    class Meta:
        constraints = [
            # One open invitation per address and organisation: inviting the same address again resends it.
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(accepted_at=None, revoked_at=None),
                name="invitation_one_open_per_email",
            )
        ]
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.organization} ({self.role})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
