"""What a provider's data supports, and which provider declares what: the words pages show or hide features by.

A provider declares its capabilities when it is registered (``integrations.registry.register`` declares them here,
with the provider's key and name), so that the pages that read the books ask "does the provider of this
administration support X, and what is it called" from ``Administration.provider`` alone, knowing neither the
integrations nor any provider.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Capability(StrEnum):
    """What a provider's data supports; pages show or hide features from these, never from the provider's name."""

    GENERAL_LEDGER = "general_ledger"
    OUTSTANDING_ITEMS = "outstanding_items"
    BALANCES = "balances"
    DIMENSIONS = "dimensions"  # analytical axes (cost centres as reporting dimensions, projects, departments)
    COST_CENTRES = "cost_centres"


class UnknownProvider(LookupError):
    """No provider is registered under the key."""


@dataclass(frozen=True, slots=True)
class DeclaredProvider:
    """A provider as the books know it: its key (``Administration.provider``), its name and its capabilities."""

    key: str
    name: str
    capabilities: frozenset[Capability]

    def has(self, capability: Capability) -> bool:
        return capability in self.capabilities


_DECLARED: dict[str, DeclaredProvider] = {}


def declare(*, key: str, name: str, capabilities: Iterable[Capability]) -> DeclaredProvider:
    declared = DeclaredProvider(key=key, name=name, capabilities=frozenset(capabilities))
    _DECLARED[key] = declared
    return declared


def withdraw(key: str) -> None:
    _DECLARED.pop(key, None)


def get(key: str) -> DeclaredProvider:
    try:
        return _DECLARED[key]
    except KeyError:
        raise UnknownProvider(f"No provider is registered under {key!r}.") from None
