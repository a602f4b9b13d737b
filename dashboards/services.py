"""Writes of the dashboards: an admin moving an account to another reporting line, or back to the default."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from ledger.models import Account
from monitr.tenancy.models import Organization

from .mapping import default_reporting_line, mappable_lines, statement_of
from .models import AccountMapping


def account_mapping_set(*, organization: Organization, account: Account, line: str | None) -> AccountMapping | None:
    """Put ``account`` on ``line``; None (or its default line) removes the override, so the default applies again."""
    if account.administration.organization_id != organization.pk:
        raise ValidationError(gettext("No such account in this organisation."))
    default = default_reporting_line(role=account.role, code=account.code, kind=account.kind)
    if not line or line == default:
        AccountMapping.objects.filter(account=account).delete()
        return None
    if line not in mappable_lines(statement_of(account.kind)):
        raise ValidationError(gettext("That line is not on this account's statement."))
    mapping, _ = AccountMapping.objects.update_or_create(
        account=account, defaults={"organization": organization, "line": line}
    )
    return mapping
