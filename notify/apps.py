"""Acting on the numbers: what Monitr tells people without being asked (the e-mail digest first)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from monitr.web.navigation import NavItem, register

        register(
            NavItem(section=_("Manage"), label=_("E-mail digest"), url_name="notify:digest", icon="clock", order=91)
        )
