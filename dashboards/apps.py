"""Server-rendered dashboards over the imported books."""

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        from monitr.web.navigation import NavItem, register

        for section, label, url_name, icon, order in (
            ("Dashboards", "Overview", "dashboards:overview", "grid", 1),
            ("Dashboards", "Profit and loss", "dashboards:pnl", "chart", 2),
            ("Dashboards", "Balance sheet", "dashboards:balance_sheet", "list", 3),
            ("Dashboards", "Transactions", "dashboards:transactions", "list", 4),
            ("Dashboards", "Outstanding Items", "dashboards:outstanding", "clock", 10),
            ("Manage", "Data checks", "dashboards:data_checks", "check", 55),
            ("Manage", "Account mapping", "dashboards:account_mapping", "settings", 60),
        ):
            register(NavItem(section=section, label=label, url_name=url_name, icon=icon, order=order))
