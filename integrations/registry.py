"""The providers Monitr knows, keyed by ``Provider.key``. Provider apps register from ``AppConfig.ready``."""

from __future__ import annotations

from .providers import Category, Provider

_PROVIDERS: dict[str, Provider] = {}


class UnknownProvider(LookupError):
    pass


def register(provider: Provider) -> Provider:
    existing = _PROVIDERS.get(provider.key)
    if existing is not None and type(existing) is not type(provider):
        raise ValueError(f"Two providers share the key {provider.key!r}.")
    _PROVIDERS[provider.key] = provider
    return provider


def get(key: str) -> Provider:
    try:
        return _PROVIDERS[key]
    except KeyError:
        raise UnknownProvider(f"No provider is registered under {key!r}.") from None


def all_providers() -> list[Provider]:
    return sorted(_PROVIDERS.values(), key=lambda p: p.name.lower())


def by_category(category: Category) -> list[Provider]:
    return [p for p in all_providers() if p.category == category]
