"""The books' endpoints; :mod:`monitr.api.urls` mounts them under /api/v1/."""

from django.urls import path

from . import views

urlpatterns = [
    path("administrations/", views.AdministrationList.as_view(), name="administrations"),
    path("relations/", views.RelationList.as_view(), name="relations"),
]
