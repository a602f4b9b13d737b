from django.apps import AppConfig


class EboekhoudenConfig(AppConfig):
    name = "eboekhouden"
    verbose_name = "e-Boekhouden.nl"

    def ready(self) -> None:
        from integrations.registry import register
        from ledger.vat import vat_codes_register

        from .provider import EboekhoudenProvider
        from .vat_codes import VAT_CODES

        register(EboekhoudenProvider())
        vat_codes_register(VAT_CODES)
