"""The read API under /api/: every app's endpoints under ``v1/``, the OpenAPI schema and its docs page.

The apps are included by name, not imported: this module, like the rest of :mod:`monitr`, imports no app. Their
URL names share the one ``api`` namespace (``api:transactions``, ``api:sync_runs``, ``api:schema`` …)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

app_name = "api"

urlpatterns = [
    path("v1/", include("ledger.api.urls")),
    path("v1/", include("dashboards.api.urls")),
    path("v1/", include("integrations.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
