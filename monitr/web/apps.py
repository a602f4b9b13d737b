from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "monitr.web"
    label = "web"
    verbose_name = "Web"

    def ready(self) -> None:
        from .navigation import NavItem, register

        register(NavItem(section="Manage", label="Members", url_name="tenancy:members", icon="users", order=90))
