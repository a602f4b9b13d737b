from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from ledger.imports import register_reader
        from monitr.web.navigation import NavItem, register

        from .imports import first_imports_read

        register_reader(first_imports_read)

        register(NavItem(section="Manage", label="Integrations", url_name="integrations:index", icon="plug", order=80))
