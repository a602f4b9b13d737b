from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "monitr.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from monitr.web.navigation import NavItem, register

        register(
            NavItem(section="Manage", label="API tokens", url_name="accounts:api_tokens", icon="settings", order=95)
        )
