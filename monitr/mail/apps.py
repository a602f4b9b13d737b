from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "monitr.mail"
    label = "mail"
    verbose_name = "E-mail"

    def ready(self) -> None:
        from monitr.web.navigation import NavItem, register

        register(
            NavItem(section=_("Manage"), label=_("E-mail"), url_name="mail:log", icon="list", order=92, admin_only=True)
        )
