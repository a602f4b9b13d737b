from django.apps import AppConfig


class EboekhoudenConfig(AppConfig):
    name = "eboekhouden"
    verbose_name = "e-Boekhouden.nl"

    def ready(self) -> None:
        from integrations.registry import register
        from ledger.vat import vat_codes_register

        # The client's messages are stored in English and translated where a page shows them: declared before any
        # page asks.
        from . import sync  # noqa: F401  (the names of records set aside)
        from .client import errors  # noqa: F401
        from .provider import EboekhoudenProvider
        from .vat_codes import VAT_CODES

        register(EboekhoudenProvider())
        vat_codes_register(VAT_CODES)
