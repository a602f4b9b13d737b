from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "monitr.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from monitr.web.navigation import NavItem, register

        register(
            NavItem(
                section=_("Manage"), label=_("API tokens"), url_name="accounts:api_tokens", icon="settings", order=95
            )
        )
