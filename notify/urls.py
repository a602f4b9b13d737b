from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("digest/", views.digest_settings, name="digest"),
    path("digest/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
