from django.apps import AppConfig


class LedgerfileConfig(AppConfig):
    name = "ledgerfile"
    label = "ledgerfile"
    verbose_name = "Ledger file"

    def ready(self) -> None:
        from integrations.registry import register

        from .provider import LedgerFileProvider

        register(LedgerFileProvider())
