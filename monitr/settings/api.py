"""The read-only JSON API: Django REST framework with an OpenAPI schema from drf-spectacular."""

from __future__ import annotations

__all__ = ["REST_FRAMEWORK", "SPECTACULAR_SETTINGS"]

REST_FRAMEWORK = {
    # As monitr.api's views (the schema and docs views use these): personal API tokens for programs first, so an
    # anonymous request is told to send one (401); the session for the browser.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "monitr.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Monitr API",
    "DESCRIPTION": "Read-only access to an organisation's imported books and dashboards.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page's Swagger UI comes from the installed sidecar package: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
