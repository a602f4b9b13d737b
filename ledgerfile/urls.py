"""The Ledger file pages, under /integrations/ledger-file/: the steps of a new upload, and of a corrected file."""

from django.urls import path

from . import views

app_name = "ledgerfile"

urlpatterns = [
    path("add/", views.add, name="add"),
    path("add/<int:upload>/columns/", views.add_columns, name="add_columns"),
    path("add/<int:upload>/check/", views.add_check, name="add_check"),
    path("add/<int:upload>/preview/", views.add_preview, name="add_preview"),
    path("connections/<int:pk>/replace/", views.replace, name="replace"),
    path("connections/<int:pk>/replace/<int:upload>/columns/", views.replace_columns, name="replace_columns"),
    path("connections/<int:pk>/replace/<int:upload>/check/", views.replace_check, name="replace_check"),
    path("connections/<int:pk>/replace/<int:upload>/preview/", views.replace_preview, name="replace_preview"),
]
