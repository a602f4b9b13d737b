"""The ledger's capability vocabulary and the lookup of what each provider declared, without the integrations."""

from __future__ import annotations

import pytest

from ledger import capabilities
from ledger.capabilities import Capability, UnknownProvider


@pytest.fixture
def declared():
    yield capabilities.declare(
        key="paperbooks", name="Paper Books", capabilities=[Capability.GENERAL_LEDGER, Capability.DIMENSIONS]
    )
    capabilities.withdraw("paperbooks")


def test_a_declared_provider_is_found_by_its_key_with_its_name_and_capabilities(declared):
    found = capabilities.get("paperbooks")

    assert found.name == "Paper Books"
    assert found.has(Capability.DIMENSIONS) and not found.has(Capability.OUTSTANDING_ITEMS)


def test_a_withdrawn_or_never_declared_provider_is_unknown(declared):
    capabilities.withdraw("paperbooks")

    with pytest.raises(UnknownProvider):
        capabilities.get("paperbooks")
    with pytest.raises(UnknownProvider):
        capabilities.get("never-declared")


def test_declaring_again_replaces_the_declaration(declared):
    capabilities.declare(key="paperbooks", name="Paper Books 2", capabilities=[])

    assert capabilities.get("paperbooks").name == "Paper Books 2"
    assert not capabilities.get("paperbooks").has(Capability.GENERAL_LEDGER)
