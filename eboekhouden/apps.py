from django.apps import AppConfig


class EboekhoudenConfig(AppConfig):
    name = "eboekhouden"
    verbose_name = "e-Boekhouden.nl"

    def ready(self) -> None:
        from integrations.registry import register

        from .provider import EboekhoudenProvider

        register(EboekhoudenProvider())
