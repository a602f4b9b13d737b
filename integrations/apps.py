from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from monitr.web.navigation import NavItem, register

        register(NavItem(section="Manage", label="Integrations", url_name="integrations:index", icon="plug", order=80))
