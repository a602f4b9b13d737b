"""The integrations' endpoints; :mod:`monitr.api.urls` mounts them under /api/v1/."""

from django.urls import path

from . import views

urlpatterns = [
    path("sync-runs/", views.SyncRunList.as_view(), name="sync_runs"),
    # Any text, not <int:pk>: a malformed id gets the API's JSON 404 rather than the site's HTML page.
    path("connections/<str:pk>/sync/", views.ConnectionSync.as_view(), name="connection_sync"),
]
