"""The provider-neutral sync engine: runs a provider's streams for one connection, under a lock, with progress."""
