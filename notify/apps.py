"""Acting on the numbers: what Monitr tells people without being asked (the e-mail digest, the alerts)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from integrations.signals import sync_finished
        from monitr.web.navigation import NavItem, register

        from .receivers import alerts_after_sync

        register(
            NavItem(section=_("Manage"), label=_("E-mail digest"), url_name="notify:digest", icon="clock", order=91)
        )
        register(NavItem(section=_("Manage"), label=_("Alerts"), url_name="notify:alerts", icon="bell", order=92))
        sync_finished.connect(alerts_after_sync, dispatch_uid="notify.alerts_after_sync")
