"""The contract every accounting-software provider implements, and what it declares about itself.

A provider is a descriptor (key, name, category, logo, capabilities, how to ask for credentials) plus the few
operations Monitr needs from it: check credentials and list the administrations they reach, and open a connection's
data for the sync engine. It lives in its own app (``eboekhouden/`` is the first) and registers itself with
:mod:`integrations.registry`; nothing outside that app names the provider.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.urls import reverse

if TYPE_CHECKING:
    from .sync.base import SyncSource


class Category(StrEnum):
    ACCOUNTING = "accounting"

    @property
    def label(self) -> str:
        return {Category.ACCOUNTING: "Accounting Software"}[self]


class Capability(StrEnum):
    """What a provider's data supports; pages show or hide features from these, never from the provider's name."""

    GENERAL_LEDGER = "general_ledger"
    OUTSTANDING_ITEMS = "outstanding_items"
    BALANCES = "balances"
    DIMENSIONS = "dimensions"  # analytical axes (cost centres as reporting dimensions, projects, departments)
    COST_CENTRES = "cost_centres"


@dataclass(frozen=True, slots=True)
class AdministrationChoice:
    """One administration the entered credentials reach, as the Add wizard lists it."""

    external_id: str
    name: str
    # False when these credentials can list the administration but cannot import it; ``note`` says what to do.
    importable: bool = True
    note: str = ""


@dataclass(frozen=True, slots=True)
class CredentialsCheck:
    """The outcome of checking credentials: what to store (encrypted), how to show them masked, what they reach."""

    secret: dict[str, str] = field(repr=False)  # never in a log line, a traceback or an error report
    hint: str
    transport: str
    administrations: tuple[AdministrationChoice, ...]


class Provider(abc.ABC):
    key: ClassVar[str]
    name: ClassVar[str]
    category: ClassVar[Category]
    logo: ClassVar[str]  # a path under static/
    description: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]]
    credentials_form: ClassVar[type[forms.Form]]
    # A provider whose connections do not start from credentials brings its own pages: the URL name of its Add page
    # (reversed without arguments), of the page that renews what a connection reads (reversed with the connection's
    # pk) and that page's label in the card's gear menu. Left empty, Add is the credentials wizard and the gear
    # offers "Update API key".
    add_url_name: ClassVar[str] = ""
    update_url_name: ClassVar[str] = ""
    update_label: ClassVar[str] = "Update API key"

    def has(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def add_url(self) -> str:
        if self.add_url_name:
            return reverse(self.add_url_name)
        return reverse("integrations:add", args=[self.key])

    def update_url(self, connection_pk: int) -> str:
        return reverse(self.update_url_name or "integrations:update_key", args=[connection_pk])

    @abc.abstractmethod
    def check_credentials(self, cleaned_data: dict[str, Any]) -> CredentialsCheck:
        """Validate the credentials form's data against the provider and list what they reach.

        Raises an :mod:`integrations.errors` error with a message for the user when the provider refuses them.
        """

    @abc.abstractmethod
    def open_source(
        self, *, secret: dict[str, str], transport: str, external_id: str, wait: Callable[[float], None] | None = None
    ) -> SyncSource:
        """The data of one connected administration, as streams the sync engine runs in order.

        ``wait`` is the sleep for every pause the source makes (a rate limit's ``Retry-After``, a backoff): the
        engine's keeps the run's lock alive while it passes, and raises when the lock was lost, which the source
        lets through. A source that pauses must pause with it, never with ``time.sleep``.
        """

    def __repr__(self) -> str:
        return f"<Provider {self.key}>"
