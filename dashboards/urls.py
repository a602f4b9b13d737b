"""The dashboards' pages, under /dashboards/."""

from django.urls import path

from .views import checks, forecast, notes, outstanding, pdf, statements, states, transactions

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
    path("outstanding/report.pdf", pdf.outstanding_report, name="outstanding_pdf"),
    path("outstanding/relations/<int:pk>/statement.pdf", pdf.relation_statement, name="relation_statement_pdf"),
    path("outstanding/forecast/", forecast.outstanding_forecast, name="outstanding_forecast"),
    path(
        "outstanding/forecast/export.<slug:file_format>",
        forecast.outstanding_forecast_export,
        name="outstanding_forecast_export",
    ),
    path("outstanding/forecast/curve/", forecast.outstanding_forecast_curve, name="outstanding_forecast_curve"),
    path("outstanding/relations/<int:relation>/notes/", notes.note_add, name="note_add"),
    path("outstanding/notes/<int:pk>/", notes.note_edit, name="note_edit"),
    path("outstanding/notes/<int:pk>/delete/", notes.note_delete_view, name="note_delete"),
    path("outstanding/notes/<int:pk>/done/", notes.note_done, name="note_done"),
    path("overview/", statements.overview, name="overview"),
    path("pnl/", statements.profit_and_loss, name="pnl"),
    path("pnl/report.pdf", pdf.pnl_report, name="pnl_pdf"),
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
