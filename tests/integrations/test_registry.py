"""The provider registry: registering a provider declares its name and capabilities to the ledger, where the pages
that read the books find them without knowing the integrations."""

from __future__ import annotations

import pytest

from dashboards.selectors.capabilities import administrations_capability
from integrations import registry
from ledger import capabilities
from ledger.capabilities import Capability
from ledger.models import Administration

from . import fakes


def test_a_registered_provider_is_declared_to_the_ledger(fake_provider):
    declared = capabilities.get(fake_provider.key)

    assert declared.name == fake_provider.name
    assert declared.capabilities == fake_provider.capabilities


def test_an_unregistered_provider_is_unknown_to_both(fake_provider):
    fakes.uninstall()

    with pytest.raises(registry.UnknownProvider):
        registry.get(fake_provider.key)
    with pytest.raises(capabilities.UnknownProvider):
        capabilities.get(fake_provider.key)


def test_the_installed_providers_are_declared_at_start_up():
    for provider in registry.all_providers():
        assert capabilities.get(provider.key).capabilities == provider.capabilities


def test_the_providers_capabilities_are_the_ledgers_vocabulary():
    from integrations.providers import Capability as ProvidersCapability

    assert ProvidersCapability is Capability


@pytest.mark.django_db
def test_the_dashboards_read_what_the_providers_declared(fake_provider, organization):
    fake = Administration(organization=organization, provider=fake_provider.key, name="Fake")
    gone = Administration(organization=organization, provider="no-such-provider", name="Gone")

    ledger = administrations_capability(administrations=[fake], capability=Capability.GENERAL_LEDGER)
    dimensions = administrations_capability(administrations=[fake, gone], capability=Capability.DIMENSIONS)

    assert ledger.available and ledger.providers_without == ()
    assert not dimensions.available
    assert dimensions.providers_without == ("FakeBooks", "no-such-provider")


def test_a_provider_allows_the_transports_it_declares_or_none_if_it_declares_none(fake_provider, monkeypatch):
    assert fake_provider.transport_allowed("key") and not fake_provider.transport_allowed("")
    assert fake_provider.transport_label("key") == "Fake key"

    monkeypatch.setattr(fake_provider, "transports", {})

    assert fake_provider.transport_allowed("") and not fake_provider.transport_allowed("key")
    assert fake_provider.transport_label("") == ""
