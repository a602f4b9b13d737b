"""The read API under /api/: the v1 endpoints of the books and the sync, the OpenAPI schema and its docs page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from integrations.api import views as integrations_views

from . import views

app_name = "api"

urlpatterns = [
    path("v1/administrations/", views.AdministrationList.as_view(), name="administrations"),
    path("v1/accounts/", views.AccountList.as_view(), name="accounts"),
    path("v1/relations/", views.RelationList.as_view(), name="relations"),
    path("v1/transactions/", views.TransactionList.as_view(), name="transactions"),
    path("v1/reports/pnl/", views.ProfitAndLossReport.as_view(), name="report_pnl"),
    path("v1/reports/balance-sheet/", views.BalanceSheetReport.as_view(), name="report_balance_sheet"),
    path("v1/sync-runs/", integrations_views.SyncRunList.as_view(), name="sync_runs"),
    # Any text, not <int:pk>: a malformed id gets the API's JSON 404 rather than the site's HTML page.
    path("v1/connections/<str:pk>/sync/", integrations_views.ConnectionSync.as_view(), name="connection_sync"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
