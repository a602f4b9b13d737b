from django.apps import AppConfig


class LedgerfileConfig(AppConfig):
    name = "ledgerfile"
    label = "ledgerfile"
    verbose_name = "Ledger file"

    def ready(self) -> None:
        from integrations.registry import register

        # What a check reports is stored in English and translated where a page shows it: declared before any page
        # asks.
        from . import book, report, sync  # noqa: F401
        from .provider import LedgerFileProvider

        register(LedgerFileProvider())
