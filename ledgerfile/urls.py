"""The Ledger file pages, under /integrations/ledger-file/: the steps of a new upload, and of a corrected file."""

from django.urls import path

from . import views
from .provider import LedgerFileProvider

app_name = "ledgerfile"

urlpatterns = [
    path("add/", views.add, name="add"),
    path("add/<int:upload>/columns/", views.add_columns, name="add_columns"),
    path("add/<int:upload>/preview/", views.add_preview, name="add_preview"),
    path("connections/<int:pk>/replace/", views.replace, name="replace"),
    path("connections/<int:pk>/replace/<int:upload>/columns/", views.replace_columns, name="replace_columns"),
    path("connections/<int:pk>/replace/<int:upload>/preview/", views.replace_preview, name="replace_preview"),
]

# The provider's own pages for Integrations' Add and the gear (see integrations.providers.Provider): set here, where
# the pages are, as long as ledgerfile.provider does not declare them itself.
_provider = LedgerFileProvider
for _attribute, _value in (
    ("add_url_name", "ledgerfile:add"),
    ("update_url_name", "ledgerfile:replace"),
    ("update_label", "Upload a corrected file"),
):
    if _attribute not in vars(_provider):
        setattr(_provider, _attribute, _value)
