"""The e-Boekhouden provider: what it declares about itself, how it checks credentials, and its sync source."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from integrations.providers import (
    AdministrationChoice,
    Capability,
    Category,
    CredentialsCheck,
    Provider,
)

from . import assumptions
from .client.dto import ApiTokenCredentials, SoapCredentials
from .client.gateway import open_gateway
from .forms import EboekhoudenCredentialsForm


@sensitive_variables()
def credentials_from_secret(secret: dict[str, str], *, external_id: str | None = None):
    """The client's credentials object for a stored secret (REST token, or SOAP username and codes)."""
    if "api_token" in secret:
        return ApiTokenCredentials(secret["api_token"])
    return SoapCredentials(
        secret["username"], secret["security_code_1"], secret["security_code_2"], administration_guid=external_id
    )


class Transport(models.TextChoices):
    """The two ways into e-Boekhouden, as a connection stores them, with what the pages call each."""

    REST = "rest", _("API key")
    SOAP = "soap", _("Legacy credentials")


def _hint(secret_part: str) -> str:
    return f"••••{secret_part[-4:]}" if len(secret_part) > 8 else "••••"


class EboekhoudenProvider(Provider):
    key = "eboekhouden"
    name = "e-Boekhouden"
    category = Category.ACCOUNTING
    logo = "img/providers/eboekhouden.svg"
    description = _("Online bookkeeping from e-Boekhouden.nl: general ledger, relations and open invoices.")
    # Its rows carry cost centres, which Monitr imports and reports by (the P&L and the transactions filter by
    # them); it has no other analytical axes (projects, departments), so no DIMENSIONS.
    capabilities = frozenset(
        {Capability.GENERAL_LEDGER, Capability.OUTSTANDING_ITEMS, Capability.BALANCES, Capability.COST_CENTRES}
    )
    credentials_form = EboekhoudenCredentialsForm
    transports = dict(Transport.choices)
    credentials_noun = _("API key")
    credentials_the = _("the API key")

    @sensitive_variables()  # an error report shows none of this frame's variables: they hold the key
    def check_credentials(self, cleaned_data: dict[str, Any]) -> CredentialsCheck:
        if cleaned_data.get("api_key"):
            secret = {"api_token": cleaned_data["api_key"]}
            transport, hint = Transport.REST, _hint(cleaned_data["api_key"])
        else:
            secret = {name: cleaned_data[name] for name in ("username", "security_code_1", "security_code_2")}
            transport, hint = Transport.SOAP, _hint(cleaned_data["security_code_2"])
        with open_gateway(credentials_from_secret(secret)) as gateway:
            found = gateway.administrations()
        choices = [AdministrationChoice(a.guid, a.company) for a in found]
        if transport == Transport.REST:
            choices = assumptions.rest_key_choices(choices)
        return CredentialsCheck(secret=secret, hint=hint, transport=transport, administrations=tuple(choices))

    def metered_calls(self, connection):
        """The legacy SOAP API allows a login so many calls a month (assumptions.py): what Monitr used of them."""
        if connection.transport != Transport.SOAP:
            return None
        from django.conf import settings
        from django.utils import timezone

        from integrations.models import monthly_calls_used
        from integrations.providers import MeteredCalls

        from .client.transport import credential_key

        used = monthly_calls_used(
            provider=self.key,
            credential=credential_key("soap", connection.credentials.get("username", "")),
            day=timezone.localdate(),
        )
        return MeteredCalls(_("Legacy API calls this month"), used, settings.EBOEKHOUDEN_SOAP_CALLS_PER_MONTH)

    def shared_budget(self):
        from .client.transport import eboekhouden_budget

        return eboekhouden_budget()

    def open_source(
        self,
        *,
        secret: dict[str, str],
        transport: str,
        external_id: str,
        wait=None,
        priority: int = 2,
        since: float | None = None,
    ):
        from .sync import EboekhoudenSource

        credentials = credentials_from_secret(secret, external_id=external_id)
        return EboekhoudenSource(credentials, wait=wait, priority=priority, since=since)
