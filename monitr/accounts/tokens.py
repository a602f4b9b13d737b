"""Personal API tokens: made, revoked and checked here; :mod:`monitr.api.authentication` accepts them on the API.

A token reads ``mtr_<prefix>_<secret>``. The prefix finds the row; the secret's SHA-256 digest is compared in
constant time. A token stops working when it is revoked, or when its user is no longer a member of its organisation
(or is deactivated); removing a member revokes their tokens for that organisation, so adding them again later does not
bring the old tokens back.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from monitr.tenancy.models import Membership, Organization

from .models import ApiToken, User

TOKEN_START = "mtr_"  # noqa: S105 - the fixed start of every token, not a secret


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the whole token text, shown once


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, user: User, organization: Organization, name: str) -> IssuedToken:
    if not Membership.objects.filter(user=user, organization=organization).exists():
        raise PermissionError("Not a member of this organisation.")
    prefix = secrets.token_hex(6)
    text = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        organization=organization,
        # Free text from a form field: NUL characters removed (PostgreSQL refuses them), cut to the column's length.
        name=name.replace("\x00", "").strip()[:100] or gettext("API token"),
        prefix=prefix,
        digest=_digest(text),
    )
    return IssuedToken(token=token, secret=text)


def api_token_revoke(*, user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False when there is no such active token of theirs."""
    return bool(ApiToken.objects.filter(user=user, pk=token_id, revoked_at=None).update(revoked_at=timezone.now()))


def api_tokens_revoke_for_membership(*, user: User, organization: Organization) -> int:
    """Revoke every active token of ``user`` for ``organization``: called when the membership ends (and when one
    begins, for tokens left from a membership removed without it), so a person added again starts with none that
    work. Returns how many were revoked."""
    return ApiToken.objects.filter(user=user, organization=organization, revoked_at=None).update(
        revoked_at=timezone.now()
    )


def api_token_check(text: str) -> tuple[ApiToken, Membership] | None:
    if not text.startswith(TOKEN_START) or text.count("_") < 2:
        return None
    prefix = text[len(TOKEN_START) :].split("_", 1)[0]
    token = ApiToken.objects.select_related("user", "organization").filter(prefix=prefix, revoked_at=None).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(text)) or not token.user.is_active:
        return None
    membership = (
        Membership.objects.select_related("organization").filter(user=token.user, organization=token.organization)
    ).first()
    if membership is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token, membership
