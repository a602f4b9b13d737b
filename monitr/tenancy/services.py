"""Writes to organisations and memberships."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from monitr.accounts.models import User
from monitr.accounts.tokens import api_tokens_revoke_for_membership
from monitr.logs import get_logger

from .models import Membership, Organization, Role

log = get_logger(__name__)


class ExistingUserPasswordError(ValueError):
    """A password was given for a user who already has an account, without asking to replace theirs."""


class LastAdminError(ValueError):
    """The change would leave the organisation without an admin: nobody could manage its integrations and members."""


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


def _refuse_last_admin(membership: Membership) -> None:
    """Raise :class:`LastAdminError` when ``membership`` is its organisation's only admin. Locks the admins' rows, so
    two admins demoting each other at once cannot both succeed."""
    if not membership.is_admin:
        return
    admins = Membership.objects.select_for_update().filter(organization=membership.organization, role=Role.ADMIN)
    if len(admins) == 1:
        raise LastAdminError(
            _("%(email)s is the last admin of %(organization)s.")
            % {"email": membership.user.email, "organization": membership.organization.name}
        )


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, by: User | None = None) -> Membership:
    """Give ``membership`` the role ``role``. The organisation's last admin cannot become a member."""
    if role not in Role.values:
        raise ValueError(_("Choose a role: admin or member."))
    membership = Membership.objects.select_for_update().select_related("user", "organization").get(pk=membership.pk)
    if membership.role == role:
        return membership
    if role != Role.ADMIN:
        _refuse_last_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    log.info(
        "members.role_changed",
        organization_id=membership.organization_id,
        membership_id=membership.pk,
        role=role,
        by_user_id=by.pk if by else None,
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User | None = None) -> int:
    """End ``membership``: the user leaves the organisation and every API token they made for it is revoked, so
    adding them again later does not bring those tokens back. Returns how many tokens were revoked.

    The organisation's last admin cannot be removed: nobody would be left to manage its integrations and members."""
    membership = Membership.objects.select_for_update().select_related("user", "organization").get(pk=membership.pk)
    _refuse_last_admin(membership)
    membership_id = membership.pk
    membership.delete()
    revoked = api_tokens_revoke_for_membership(user=membership.user, organization=membership.organization)
    log.info(
        "members.removed",
        organization_id=membership.organization_id,
        membership_id=membership_id,
        user_id=membership.user_id,
        revoked=revoked,
        by_user_id=by.pk if by else None,
    )
    return revoked
