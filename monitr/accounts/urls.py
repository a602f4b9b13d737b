"""The signed-in user's own settings: personal API tokens."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
]
