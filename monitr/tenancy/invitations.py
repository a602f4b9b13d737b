"""Invitations: an admin asks a colleague by e-mail to join the organisation in a role; the link in the e-mail lets
them in once, before it expires.

The link carries a random secret; only its SHA-256 digest is stored, as for API tokens, so the table alone lets nobody
in. Resending makes a new secret (the earlier e-mail's link stops working) and a new expiry. Accepting and revoking
close an invitation for good, and every write takes the invitation's row lock, so a link used twice at once joins once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from monitr.accounts.models import User
from monitr.accounts.tokens import api_tokens_revoke_for_membership
from monitr.logs import get_logger
from monitr.mail.models import MailKind
from monitr.mail.services import Mail, mail_send

from .models import Invitation, Membership, Organization, Role
from .services import user_get_or_create

log = get_logger(__name__)


class InvitationError(ValueError):
    """An invitation that cannot be made, sent or accepted; the message says why, for the person who tried."""


class InvitationState(StrEnum):
    OPEN = "open"
    EXPIRED = "expired"
    ACCEPTED = "accepted"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class IssuedInvitation:
    invitation: Invitation
    secret: str  # goes into the e-mail's link, and nowhere else


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret(invitation: Invitation) -> IssuedInvitation:
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.digest = _digest(secret)
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=settings.INVITATION_EXPIRY_DAYS)
    return IssuedInvitation(invitation=invitation, secret=secret)


def invitation_state(invitation: Invitation) -> InvitationState:
    if invitation.accepted_at is not None:
        return InvitationState.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationState.REVOKED
    if invitation.is_expired:
        return InvitationState.EXPIRED
    return InvitationState.OPEN


@transaction.atomic
def invitation_create(*, organization: Organization, email: str, role: str, invited_by: User) -> IssuedInvitation:
    """Invite ``email`` to ``organization`` in ``role``. An open invitation to the same address is sent again, with
    the new role; someone who is a member already is refused."""
    if role not in Role.values:
        raise InvitationError(_("Choose a role: admin or member."))
    email = User.objects.normalize_email(email.strip()).lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise InvitationError(
            _("%(email)s is already a member of %(organization)s.") % {"email": email, "organization": organization}
        )
    invitation = (
        Invitation.objects.for_organization(organization).open().select_for_update().filter(email=email).first()
    )
    if invitation is None:
        invitation = Invitation(organization=organization, email=email)
    invitation.role = role
    invitation.invited_by = invited_by
    issued = _new_secret(invitation)
    invitation.save()
    log.info(
        "members.invited",
        organization_id=organization.pk,
        invitation_id=invitation.pk,
        role=role,
        by_user_id=invited_by.pk,
    )
    return issued


def _lock_unanswered(invitation: Invitation) -> Invitation:
    """``invitation`` locked and read again; refused once accepted or revoked (an expired one may be resent)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation_state(invitation) not in (InvitationState.OPEN, InvitationState.EXPIRED):
        raise InvitationError(_("This invitation was already accepted or revoked."))
    return invitation


@transaction.atomic
def invitation_renew(*, invitation: Invitation, by: User) -> IssuedInvitation:
    """A new link and expiry for an open (or expired) invitation, to send again; the old link stops working."""
    invitation = _lock_unanswered(invitation)
    issued = _new_secret(invitation)
    invitation.save(update_fields=["digest", "sent_at", "expires_at"])
    log.info(
        "members.invitation_resent",
        organization_id=invitation.organization_id,
        invitation_id=invitation.pk,
        by_user_id=by.pk,
    )
    return issued


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> None:
    invitation = _lock_unanswered(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    log.info(
        "members.invitation_revoked",
        organization_id=invitation.organization_id,
        invitation_id=invitation.pk,
        by_user_id=by.pk,
    )


def invitation_send(issued: IssuedInvitation, *, link: str) -> None:
    """E-mail the invitation now, while the admin waits (``monitr.mail.mail_send``: recorded, and
    ``MailNotDelivered`` raised when the mail server refuses). ``link`` is the accept page's absolute address with
    the secret in it, which the record does not keep. Replies go to whoever invited."""
    invitation = issued.invitation
    inviter = invitation.invited_by
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "inviter": inviter,
        "role": invitation.get_role_display(),
        "link": link,
        "expires_at": invitation.expires_at,
    }
    subject = " ".join(render_to_string("tenancy/email/invitation_subject.txt", context).split())
    mail_send(
        Mail(
            kind=MailKind.INVITATION,
            organization=invitation.organization,
            to=invitation.email,
            subject=subject,
            text=render_to_string("tenancy/email/invitation.txt", context),
            reply_to=[inviter.email] if inviter else [],
        )
    )


def invitation_for_secret(secret: str) -> Invitation | None:
    """The invitation whose link carries ``secret``, in whatever state; None for a link that never was, or whose
    invitation was sent again since (a new secret)."""
    return (
        Invitation.objects.select_related("organization", "invited_by").filter(digest=_digest(secret)).first()
        if secret
        else None
    )


def _lock_open(secret: str) -> Invitation:
    invitation = Invitation.objects.select_for_update().filter(digest=_digest(secret)).first()
    if invitation is None or invitation_state(invitation) is not InvitationState.OPEN:
        raise InvitationError(_("This invitation link no longer works."))
    return invitation


def _join(invitation: Invitation, user: User) -> Membership:
    """Make ``user`` a member in the invitation's role (someone already a member keeps the role they have) and close
    the invitation."""
    membership, created = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    if created:
        # As membership_set: tokens from an earlier membership that ended without membership_remove stay dead.
        api_tokens_revoke_for_membership(user=user, organization=invitation.organization)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    log.info(
        "members.invitation_accepted",
        organization_id=invitation.organization_id,
        invitation_id=invitation.pk,
        user_id=user.pk,
        role=membership.role,
    )
    return membership


@transaction.atomic
def invitation_accept(*, secret: str, user: User) -> Membership:
    """``user``, signed in, accepts the invitation sent to their own address."""
    invitation = _lock_open(secret)
    if user.email.lower() != invitation.email.lower():
        raise InvitationError(_("This invitation was sent to another e-mail address."))
    return _join(invitation, user)


@transaction.atomic
def invitation_accept_as_new_user(*, secret: str, first_name: str, last_name: str, password: str) -> Membership:
    """Someone without a password yet (a new person, or one added by command without one) accepts: their account is
    made, or completed, with their name and password. The link proves they read the invited address."""
    invitation = _lock_open(secret)
    user, _created = user_get_or_create(email=invitation.email)
    if user.has_usable_password():
        raise InvitationError(_("%(email)s already has an account: sign in to accept.") % {"email": user.email})
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.set_password(password)
    user.save(update_fields=["first_name", "last_name", "password"])
    return _join(invitation, user)
