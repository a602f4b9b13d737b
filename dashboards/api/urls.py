"""The dashboards' API, under /api/v1/."""

from django.urls import path

from . import views

app_name = "dashboards_api"

urlpatterns = [
    path("outstanding-items/", views.OutstandingItemsView.as_view(), name="outstanding_items"),
    path("outstanding-items/aging/", views.OutstandingAgingView.as_view(), name="outstanding_aging"),
]
