from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "monitr.tenancy"
    label = "tenancy"
    verbose_name = "Organisations"
