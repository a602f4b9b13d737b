from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("", views.index, name="index"),
    path("fleet/", views.fleet, name="fleet"),
    path("connections/<int:pk>/status/", views.connection_status, name="connection_status"),
    path("connections/<int:pk>/sync/", views.sync_now, name="sync_now"),
    path("connections/<int:pk>/update-key/", views.update_key, name="update_key"),
    path("connections/<int:pk>/remove/", views.remove, name="remove"),
    path("connections/<int:pk>/history/", views.history, name="history"),
    path("<slug:provider_key>/add/", views.add, name="add"),
    path("<slug:provider_key>/add/administration/", views.add_administration, name="add_administration"),
    path("<slug:provider_key>/delete/", views.delete, name="delete"),
    path("<slug:category>/", views.category, name="category"),
]
