from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "monitr.web"
    label = "web"
    verbose_name = "Web"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .idle import stamp_at_sign_in
        from .navigation import NavItem, register

        user_logged_in.connect(stamp_at_sign_in, dispatch_uid="monitr.web.idle.stamp_at_sign_in")
        register(NavItem(section=_("Manage"), label=_("Members"), url_name="tenancy:members", icon="users", order=90))
