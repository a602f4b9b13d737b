from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "monitr.accounts"
    label = "accounts"
    verbose_name = "Accounts"
