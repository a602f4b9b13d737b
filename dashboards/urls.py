"""The dashboards' pages, under /dashboards/."""

from django.urls import path

from .views import checks, forecast, outstanding, statements, states, transactions

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
    path("outstanding/forecast/", forecast.outstanding_forecast, name="outstanding_forecast"),
    path(
        "outstanding/forecast/export.<slug:file_format>",
        forecast.outstanding_forecast_export,
        name="outstanding_forecast_export",
    ),
    path("outstanding/forecast/curve/", forecast.outstanding_forecast_curve, name="outstanding_forecast_curve"),
    path("overview/", statements.overview, name="overview"),
    path("pnl/", statements.profit_and_loss, name="pnl"),
    path("balance-sheet/", statements.balance_sheet, name="balance_sheet"),
    path("statements/<slug:statement>/<slug:line>/", statements.statement_line, name="statement_line"),
    path("accounts/<int:pk>/", statements.account_detail, name="account"),
    path("transactions/", transactions.transactions, name="transactions"),
    path(
        "transactions/export.<slug:file_format>",
        transactions.transactions_export,
        name="transactions_export",
    ),
    path("transactions/<int:pk>/", statements.transaction_detail, name="transaction"),
    path("mapping/", statements.account_mapping, name="account_mapping"),
    path("checks/", checks.data_checks_page, name="data_checks"),
    path("imports/first/", states.first_import_status, name="first_import_status"),
]
