"""Server-rendered dashboards over the imported books."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        from ledger.signals import books_imported
        from monitr.web.navigation import NavItem, register

        from .receivers import figures_keep_ready

        books_imported.connect(figures_keep_ready, dispatch_uid="dashboards.figures_keep_ready")

        for section, label, url_name, icon, order in (
            (_("Dashboards"), _("Overview"), "dashboards:overview", "grid", 1),
            (_("Dashboards"), _("Profit and loss"), "dashboards:pnl", "chart", 2),
            (_("Dashboards"), _("Balance sheet"), "dashboards:balance_sheet", "list", 3),
            (_("Dashboards"), _("Transactions"), "dashboards:transactions", "list", 4),
            (_("Dashboards"), _("Outstanding Items"), "dashboards:outstanding", "clock", 10),
            (_("Dashboards"), _("Expected cash"), "dashboards:outstanding_forecast", "chart", 11),
            (_("Manage"), _("Data checks"), "dashboards:data_checks", "check", 55),
            (_("Manage"), _("Account mapping"), "dashboards:account_mapping", "settings", 60),
        ):
            register(NavItem(section=section, label=label, url_name=url_name, icon=icon, order=order))
