"""The contract every accounting-software provider implements, and what it declares about itself.

A provider is a descriptor (key, name, category, logo, capabilities, the ways in it offers, how to ask for
credentials) plus the few operations Monitr needs from it: check credentials and list the administrations they
reach, and open a connection's data for the sync engine. It lives in its own app, beside the others, and registers
itself with :mod:`integrations.registry`; nothing outside that app names the provider.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The vocabulary is the ledger's, so that the pages reading the books can ask about it without the integrations.
from ledger.capabilities import Capability

if TYPE_CHECKING:
    from ledger.models import Administration

    from .http.budget import SharedBudget
    from .models import Connection
    from .sync.base import SyncSource


class Category(StrEnum):
    ACCOUNTING = "accounting"

    @property
    def label(self) -> str:
        return str({Category.ACCOUNTING: _("Accounting Software")}[self])


@dataclass(frozen=True, slots=True)
class MeteredCalls:
    """A credential's calls this period against the provider's limit for it, and what the card calls them."""

    label: Any  # a lazy translation: read in the page's language
    used: int
    limit: int


@dataclass(frozen=True, slots=True)
class AdministrationChoice:
    """One administration the entered credentials reach, as the Add wizard lists it."""

    external_id: str
    name: str
    # False when these credentials can list the administration but cannot import it; ``note`` says what to do.
    importable: bool = True
    note: str = ""


@dataclass(frozen=True, slots=True)
class Arrival:
    """When the data a connection reads last arrived, and what the card calls that ("File uploaded")."""

    label: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class CredentialsCheck:
    """The outcome of checking credentials: what to store (encrypted), how to show them masked, what they reach."""

    secret: dict[str, str] = field(repr=False)  # never in a log line, a traceback or an error report
    hint: str
    transport: str  # one of the provider's ``transports``; empty when it declares none
    administrations: tuple[AdministrationChoice, ...]


class Provider(abc.ABC):
    key: ClassVar[str]
    name: ClassVar[Any]  # a brand stays as it is; a descriptive name is a lazy translation
    category: ClassVar[Category]
    logo: ClassVar[str]  # a path under static/
    description: ClassVar[Any]  # a lazy translation
    capabilities: ClassVar[frozenset[Capability]]
    credentials_form: ClassVar[type[forms.Form]]
    # The ways in the provider offers (an API key, legacy credentials, ...): what a connection stores as its
    # ``transport``, and what the pages call it. A provider that offers no choice may declare none.
    transports: ClassVar[dict[str, Any]] = {}
    # What the pages call what a connection holds to reach the provider ("Update API key"), bare and with its article
    # ("Update the API key first"): languages put different articles before different nouns. Lazy translations.
    credentials_noun: ClassVar[Any] = _("credentials")
    credentials_the: ClassVar[Any] = _("the credentials")
    # A provider whose connections do not start from credentials brings its own pages: the URL name of its Add page
    # (reversed without arguments), of the page that renews what a connection reads (reversed with the connection's
    # pk) and that page's label in the card's gear menu. Left empty, Add is the credentials wizard and the gear
    # offers "Update" and the credentials' noun.
    add_url_name: ClassVar[str] = ""
    update_url_name: ClassVar[str] = ""
    update_label: ClassVar[Any] = ""
    # A provider whose data changes only when the organisation brings new data (a file it uploads) is not scheduled:
    # its connections sync when the data arrives and when asked, never at the scheduled times, which would read the
    # same data again. Its card says when the data last arrived (``arrival``) instead of when the next sync is.
    scheduled: ClassVar[bool] = True

    def has(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def add_url(self) -> str:
        if self.add_url_name:
            return reverse(self.add_url_name)
        return reverse("integrations:add", args=[self.key])

    def update_url(self, connection_pk: int) -> str:
        return reverse(self.update_url_name or "integrations:update_key", args=[connection_pk])

    def update_text(self) -> str:
        if self.update_label:
            return str(self.update_label)
        return capfirst(gettext("Update %(noun)s") % {"noun": self.credentials_noun})

    def update_first_text(self) -> str:
        """Why a connection cannot sync now: its credentials were refused."""
        return capfirst(gettext("Update %(the_noun)s first") % {"the_noun": self.credentials_the})

    def update_title(self, administration_name: str) -> str:
        """The title of the page that updates a connection's credentials."""
        return capfirst(
            gettext("Update %(the_noun)s of %(name)s") % {"the_noun": self.credentials_the, "name": administration_name}
        )

    def transport_allowed(self, transport: str) -> bool:
        """One of the declared transports, or none at all where the provider declares none."""
        return transport in self.transports if self.transports else transport == ""

    def transport_label(self, transport: str) -> str:
        return str(self.transports.get(transport, transport))

    def arrival(self, administration: Administration) -> Arrival | None:
        """When the data of a connected administration last arrived, for a provider that is not scheduled; None
        when the provider does not know (its data is fetched, not brought)."""
        return None

    @abc.abstractmethod
    def check_credentials(self, cleaned_data: dict[str, Any]) -> CredentialsCheck:
        """Validate the credentials form's data against the provider and list what they reach.

        Raises an :mod:`integrations.errors` error with a message for the user when the provider refuses them.
        """

    @abc.abstractmethod
    def open_source(
        self,
        *,
        secret: dict[str, str],
        transport: str,
        external_id: str,
        wait: Callable[[float], None] | None = None,
        priority: int = 2,
        since: float | None = None,
    ) -> SyncSource:
        """The data of one connected administration, as streams the sync engine runs in order.

        ``priority`` is the run's (``integrations.http.budget``: 0 asked by a person, 1 a first import, 2 the
        schedule) and ``since`` its start (seconds since the epoch): a source that asks a shared budget for its
        requests queues them in that order, the runs that started first first within a priority.

        ``wait`` is the sleep for every pause the source makes (a rate limit's ``Retry-After``, a backoff): the
        engine's keeps the run's lock alive while it passes, and raises when the lock was lost, which the source
        lets through. A source that pauses must pause with it, never with ``time.sleep``.
        """

    def metered_calls(self, connection: Connection) -> MeteredCalls | None:
        """The calls the connection's credential has made this period where the provider allows only so many (a
        monthly call limit), for its card; None where there is no such limit."""
        return None

    def shared_budget(self) -> SharedBudget | None:
        """The budget every worker process shares towards this provider's service (``integrations.http.budget``),
        for the pages that show the fleet; None when its syncs ask no shared budget."""
        return None

    def __repr__(self) -> str:
        return f"<Provider {self.key}>"
