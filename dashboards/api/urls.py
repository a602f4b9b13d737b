"""The dashboards' endpoints; :mod:`monitr.api.urls` mounts them under /api/v1/."""

from django.urls import path

from . import views

urlpatterns = [
    path("accounts/", views.AccountList.as_view(), name="accounts"),
    path("transactions/", views.TransactionList.as_view(), name="transactions"),
    path("reports/pnl/", views.ProfitAndLossReport.as_view(), name="report_pnl"),
    path("reports/balance-sheet/", views.BalanceSheetReport.as_view(), name="report_balance_sheet"),
    path("outstanding-items/", views.OutstandingItemsView.as_view(), name="outstanding_items"),
    path("outstanding-items/aging/", views.OutstandingAgingView.as_view(), name="outstanding_aging"),
    path("outstanding-items/forecast/", views.CashForecastView.as_view(), name="outstanding_forecast"),
    path(
        "outstanding-items/payment-behaviour/",
        views.PaymentBehaviourView.as_view(),
        name="outstanding_payment_behaviour",
    ),
    path("outstanding-items/notes/", views.RelationNotesView.as_view(), name="outstanding_notes"),
]
