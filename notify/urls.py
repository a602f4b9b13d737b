from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("digest/", views.digest_settings, name="digest"),
    path("digest/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("", views.notifications, name="notifications"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/add/", views.alert_add, name="alert_add"),
    path("alerts/<int:pk>/delete/", views.alert_delete, name="alert_delete"),
    path("alerts/<int:pk>/follow/", views.alert_follow, name="alert_follow"),
]
