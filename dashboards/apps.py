"""Server-rendered dashboards over the imported books."""

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        from monitr.web.navigation import NavItem, register

        register(
            NavItem(
                section="Dashboards",
                label="Outstanding Items",
                url_name="dashboards:outstanding",
                icon="clock",
                order=10,
            )
        )
