"""The providers Monitr knows, keyed by ``Provider.key``. Provider apps register from ``AppConfig.ready``.

Registering also declares the provider's name and capabilities to :mod:`ledger.capabilities`, where the pages that
read the books look them up.
"""

from __future__ import annotations

from ledger import capabilities
from ledger.capabilities import UnknownProvider as UnknownProvider  # one error, whichever registry is asked

from .providers import Category, Provider

_PROVIDERS: dict[str, Provider] = {}


def register(provider: Provider) -> Provider:
    existing = _PROVIDERS.get(provider.key)
    if existing is not None and type(existing) is not type(provider):
        raise ValueError(f"Two providers share the key {provider.key!r}.")
    _PROVIDERS[provider.key] = provider
    capabilities.declare(key=provider.key, name=provider.name, capabilities=provider.capabilities)
    return provider


def unregister(key: str) -> None:
    """Forget a provider (tests install providers of their own and take them away again)."""
    _PROVIDERS.pop(key, None)
    capabilities.withdraw(key)


def get(key: str) -> Provider:
    try:
        return _PROVIDERS[key]
    except KeyError:
        raise UnknownProvider(f"No provider is registered under {key!r}.") from None


def all_providers() -> list[Provider]:
    return sorted(_PROVIDERS.values(), key=lambda p: p.name.lower())


def by_category(category: Category) -> list[Provider]:
    return [p for p in all_providers() if p.category == category]
