"""Monitr's root URLs. Each app brings its own ``urls.py``."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from monitr.web import language, outbox
from monitr.web import views as web_views
from monitr.web.forms import LoginForm

urlpatterns = [
    path("", web_views.home, name="home"),
    path(
        "login/",
        web_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("organisation/", include("monitr.tenancy.urls")),
    path("integrations/ledger-file/", include("ledgerfile.urls")),
    path("integrations/", include("integrations.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("api/", include("monitr.api.urls")),
    path("account/", include("monitr.accounts.urls")),
    path("outbox/", outbox.outbox, name="outbox"),
    path("e-mail/", include("monitr.mail.urls")),
    path("notifications/", include("notify.urls")),
    path("language/", language.language_choose, name="language"),
]

handler403 = "monitr.web.views.permission_denied"
handler404 = "monitr.web.views.page_not_found"
handler500 = "monitr.web.views.server_error"
