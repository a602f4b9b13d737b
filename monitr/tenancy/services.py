"""Writes to organisations and memberships."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from monitr.accounts.models import User
from monitr.accounts.tokens import api_tokens_revoke_for_membership

from .models import Membership, Organization, Role


class ExistingUserPasswordError(ValueError):
    """A password was given for a user who already has an account, without asking to replace theirs."""


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "organisation"
    slug, n = base, 2
    while Organization.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def user_get_or_create(*, email: str, password: str | None = None, reset_password: bool = False) -> tuple[User, bool]:
    """The user with this e-mail address; created (with ``password``, or unusable without one) when new.

    An existing user's password is replaced only with ``reset_password``: someone adding a colleague who turns out to
    have an account already must not sign them out of it by accident."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        if password and not reset_password:
            raise ExistingUserPasswordError(f"{user.email} already has an account; their password was left unchanged.")
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user, False
    return User.objects.create_user(email=email, password=password), True


@transaction.atomic
def organization_create(
    *, name: str, admin_email: str, admin_password: str | None = None, reset_password: bool = False
) -> Organization:
    name = name.strip()
    if not name:
        raise ValueError("An organisation needs a name.")
    organization = Organization.objects.create(name=name, slug=_unique_slug(name))
    user, _ = user_get_or_create(email=admin_email, password=admin_password, reset_password=reset_password)
    Membership.objects.create(user=user, organization=organization, role=Role.ADMIN)
    return organization


@transaction.atomic
def membership_set(
    *, organization: Organization, email: str, role: str, password: str | None = None, reset_password: bool = False
) -> tuple[Membership, bool]:
    """Make ``email`` a member of ``organization`` with ``role``; an existing member gets the new role."""
    if role not in Role.values:
        raise ValueError(f"Role must be one of {', '.join(Role.values)}.")
    user, _ = user_get_or_create(email=email, password=password, reset_password=reset_password)
    membership, created = Membership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": role}
    )
    if created:
        # Tokens of an earlier membership that ended without membership_remove (a row deleted by hand) stay dead.
        api_tokens_revoke_for_membership(user=user, organization=organization)
    return membership, created


@transaction.atomic
def membership_remove(*, membership: Membership) -> int:
    """End ``membership``: the user leaves the organisation and every API token they made for it is revoked, so
    adding them again later does not bring those tokens back. Returns how many tokens were revoked.

    The organisation's last admin cannot be removed: nobody would be left to manage its integrations and members."""
    membership = Membership.objects.select_for_update().select_related("user", "organization").get(pk=membership.pk)
    if membership.is_admin:
        admins = Membership.objects.select_for_update().filter(organization=membership.organization, role=Role.ADMIN)
        if len(admins) == 1:
            raise ValueError(f"{membership.user.email} is the last admin of {membership.organization.name}.")
    membership.delete()
    return api_tokens_revoke_for_membership(user=membership.user, organization=membership.organization)
