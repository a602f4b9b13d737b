from django.urls import path

from . import views

app_name = "tenancy"

urlpatterns = [
    path("switch/", views.switch_organization, name="switch"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
]
