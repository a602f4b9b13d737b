"""The dashboards' pages, under /dashboards/."""

from django.urls import path

from .views import outstanding

app_name = "dashboards"

urlpatterns = [
    path("outstanding/", outstanding.outstanding, name="outstanding"),
    path("outstanding/items/", outstanding.outstanding_items, name="outstanding_items"),
    path("outstanding/settings/", outstanding.outstanding_settings, name="outstanding_settings"),
    path(
        "outstanding/export/<slug:table>.<slug:file_format>",
        outstanding.outstanding_export,
        name="outstanding_export",
    ),
]
